using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// The photometric operations of RandAugment on clips <c>[N, 3, T, H, W]</c>, float on the 0–255
/// scale (an image is a clip with T = 1). They follow torchvision's tensor functional ops
/// (adjust_brightness/saturation/contrast/sharpness, posterize, solarize, autocontrast) with its
/// float semantics: blends are clamped to [0, 255] but not truncated to integers. Statistics
/// (contrast mean, autocontrast range) are taken per frame, as torchvision does on a
/// <c>[T, C, H, W]</c> tensor. Each returns a new tensor.
/// </summary>
public static class ToneOps
{
    public const double MaxValue = 255;

    // ITU-R 601-2 luma, torchvision's rgb_to_grayscale weights.
    public const double LumaR = 0.2989, LumaG = 0.587, LumaB = 0.114;

    /// <summary>Luma of <c>x [N, 3, T, H, W]</c>: <c>[N, 1, T, H, W]</c>.</summary>
    public static Tensor Grayscale(Tensor x)
    {
        CheckClip(x);
        using var scope = torch.NewDisposeScope();
        long[] s = x.shape;
        Tensor weights = torch.tensor([(float)LumaR, (float)LumaG, (float)LumaB], 1, 3).to(x.device, x.dtype); // [1, 3]
        Tensor gray = weights.matmul(x.reshape(s[0], 3, s[2] * s[3] * s[4])).reshape(s[0], 1, s[2], s[3], s[4]); // [N, 1, T, H, W]
        return scope.MoveToOuter(gray);
    }

    /// <summary>factor · x, clamped (factor 0 gives black, 1 the input).</summary>
    public static Tensor Brightness(Tensor x, double factor)
    {
        CheckClip(x);
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter((x * factor).clamp(0, MaxValue));
    }

    /// <summary>Blend with the grayscale image (0 gives gray, 1 the input): saturation.</summary>
    public static Tensor Color(Tensor x, double factor)
    {
        using var scope = torch.NewDisposeScope();
        Tensor gray = Grayscale(x); // [N, 1, T, H, W]
        return scope.MoveToOuter(Blend(x, gray, factor));
    }

    /// <summary>Blend with the mean luma of each frame (0 gives flat gray, 1 the input).</summary>
    public static Tensor Contrast(Tensor x, double factor)
    {
        using var scope = torch.NewDisposeScope();
        CheckClip(x);
        // The mean luma of a frame is the luma of its channel means (luma is linear): one read of x.
        Tensor channelMeans = x.mean([3, 4], keepdim: true); // [N, 3, T, 1, 1]
        return scope.MoveToOuter(ContrastAround(x, channelMeans, factor));
    }

    /// <summary><see cref="Contrast"/> with each frame's channel means given, <c>[N, 3, T, 1, 1]</c>:
    /// the blend of <paramref name="x"/> (any shape that broadcasts with them) with their luma.</summary>
    public static Tensor ContrastAround(Tensor x, Tensor channelMeans, double factor)
    {
        using var scope = torch.NewDisposeScope();
        Tensor mean = Grayscale(channelMeans); // [N, 1, T, 1, 1]
        return scope.MoveToOuter(Blend(x, mean, factor));
    }

    /// <summary>Blend with a 3x3 smoothed image (kernel [[1,1,1],[1,5,1],[1,1,1]]/13, border
    /// pixels kept): 0 gives the smoothed image, 1 the input, above 1 sharpens.</summary>
    public static Tensor Sharpness(Tensor x, double factor)
    {
        CheckClip(x);
        long[] s = x.shape;
        long h = s[3], w = s[4];
        if (h <= 2 || w <= 2) return x.clone();
        using var scope = torch.NewDisposeScope();
        Tensor planes = x.reshape(s[0] * s[1] * s[2], h, w); // [R, H, W]
        // The 3x3 sum, separably (a 1-channel conv2d or avg_pool2d is far slower on the CPU): rows, then columns.
        Tensor rows = planes.narrow(2, 0, w - 2) + planes.narrow(2, 1, w - 2);
        rows.add_(planes.narrow(2, 2, w - 2)); // [R, H, W-2]
        Tensor box = rows.narrow(1, 0, h - 2) + rows.narrow(1, 1, h - 2);
        box.add_(rows.narrow(1, 2, h - 2)); // [R, H-2, W-2] box sum
        // Blend of x with the smoothed (box + 4·centre) / 13 at ratio f, folded into one weighted sum:
        // f·x + (1 - f)·(box + 4·x)/13 = (f + 4(1 - f)/13)·x + ((1 - f)/13)·box. Border pixels keep x.
        Tensor center = planes.narrow(1, 1, h - 2).narrow(2, 1, w - 2); // [R, H-2, W-2] view
        Tensor inner = box.mul_((1 - factor) / 13).add(center, factor + 4 * (1 - factor) / 13).clamp(0, MaxValue);
        Tensor result = planes.clone();
        result.narrow(1, 1, h - 2).narrow(2, 1, w - 2).copy_(inner);
        return scope.MoveToOuter(result.reshape(s));
    }

    /// <summary>Keeps the top <paramref name="bits"/> bits of each 8-bit level:
    /// floor(x / 2^(8-bits)) · 2^(8-bits), which on integer levels is torchvision's x &amp; mask.</summary>
    public static Tensor Posterize(Tensor x, int bits)
    {
        CheckClip(x);
        if (bits < 0 || bits > 8) throw new ArgumentOutOfRangeException(nameof(bits), bits, "posterize keeps 0 to 8 bits");
        if (bits == 8) return x.clone();
        double q = 1 << (8 - bits);
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter((x * (1 / q)).floor().mul_(q)); // q is a power of 2: exact, and cheaper than floor_divide
    }

    /// <summary>Inverts every value at or above the threshold: x >= t ? 255 - x : x.</summary>
    public static Tensor Solarize(Tensor x, double threshold)
    {
        CheckClip(x);
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(torch.where(x.ge(threshold), MaxValue - x, x));
    }

    /// <summary>Stretches each channel of each frame to the full range:
    /// (x - min) · 255 / (max - min); a constant channel is left as it is.</summary>
    public static Tensor AutoContrast(Tensor x)
    {
        CheckClip(x);
        using var scope = torch.NewDisposeScope();
        long[] s = x.shape;
        Tensor rows = x.reshape(s[0] * s[1] * s[2], s[3] * s[4]); // [N·3·T, H·W]
        Tensor lo = rows.amin(1, keepdim: true); // [N·3·T, 1]
        Tensor hi = rows.amax(1, keepdim: true);
        return scope.MoveToOuter(Stretch(rows, lo, hi).reshape(s));
    }

    /// <summary><see cref="AutoContrast"/> with each row's range given: <c>rows [R, P]</c> and
    /// <c>lo, hi [R, 1]</c> to (rows - lo) · 255 / (hi - lo), clamped; rows with hi &lt;= lo unchanged.</summary>
    public static Tensor Stretch(Tensor rows, Tensor lo, Tensor hi)
    {
        using var scope = torch.NewDisposeScope();
        Tensor flat = hi.le(lo); // [R, 1]
        Tensor offset = lo.masked_fill(flat, 0);
        Tensor scale = (MaxValue / (hi - lo)).masked_fill(flat, 1);
        return scope.MoveToOuter((rows - offset).mul_(scale).clamp(0, MaxValue)); // [R, P]
    }

    /// <summary>ratio · a + (1 - ratio) · b, clamped to [0, 255]; b broadcasts against a.</summary>
    public static Tensor Blend(Tensor a, Tensor b, double ratio)
    {
        using var scope = torch.NewDisposeScope();
        Tensor mixed = b.lerp(a, ratio); // b + ratio · (a - b), broadcast to a's shape
        return scope.MoveToOuter(mixed.clamp(0, MaxValue));
    }

    internal static void CheckClip(Tensor x)
    {
        long[] s = x.shape;
        if (s.Length != 5 || s[1] != 3)
            throw new ArgumentException($"expected clips [N, 3, T, H, W], got [{string.Join(", ", s)}]", nameof(x));
        if (!x.dtype.IsFloatingPoint()) throw new ArgumentException($"expected a floating tensor (0-255 scale), got {x.dtype}", nameof(x));
    }
}
