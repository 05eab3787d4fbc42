using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// The photometric RandAugment operations on uint8 clips <c>[N, 3, T, H, W]</c> on the CPU, where
/// the train feed runs them (torchvision, the reference, also runs RandAugment on uint8 images).
/// Each gives the value of the float operation of <see cref="ToneOps"/> (or
/// <see cref="HistogramEqualize"/>) on the clip's integer levels, cast to uint8 toward zero as
/// torchvision's uint8 ops cast: one formula per operation, whatever the type.
/// <list type="bullet">
/// <item>Pointwise operations (brightness, posterize, solarize, contrast, autocontrast, equalize)
/// become a table of 256 entries per row (one channel of one frame): ToneOps' formula evaluated on
/// the levels 0..255, with the statistics (channel means, range, histogram) counted from the
/// clip by <see cref="torch.augment.histogram_rows"/>. One native pass applies it
/// (<see cref="torch.augment.lut_into"/>).</item>
/// <item>Color and sharpness mix neighbouring values: native kernels of the same float formulas
/// (<see cref="torch.augment.adjust_saturation_into"/>, <see cref="torch.augment.adjust_sharpness_into"/>).</item>
/// </list>
/// Statistics are per frame (contrast) or per channel of a frame (autocontrast, equalize), as in
/// the float operations. Each returns a new tensor.
/// </summary>
public static class ByteToneOps
{
    /// <summary>factor · v, clamped, cast to uint8.</summary>
    public static Tensor Brightness(Tensor x, double factor) => Pointwise(x, levels => ToneOps.Brightness(levels, factor));

    /// <summary>The top <paramref name="bits"/> bits of each level.</summary>
    public static Tensor Posterize(Tensor x, int bits) => Pointwise(x, levels => ToneOps.Posterize(levels, bits));

    /// <summary>v >= threshold ? 255 - v : v.</summary>
    public static Tensor Solarize(Tensor x, double threshold) => Pointwise(x, levels => ToneOps.Solarize(levels, threshold));

    /// <summary>Blend with the mean luma of each frame (its channel means counted exactly).</summary>
    public static Tensor Contrast(Tensor x, double factor)
    {
        (long n, long t, long pixels) = Check(x);
        using var scope = torch.NewDisposeScope();
        Tensor hist = Histogram(x); // [R, 256]
        Tensor sums = hist.to(ScalarType.Float64).matmul(torch.arange(256, ScalarType.Float64)); // [R]
        Tensor channelMeans = (sums / pixels).to(ScalarType.Float32).reshape(n, 3, t, 1, 1); // [N, 3, T, 1, 1]
        Tensor table = ToneOps.ContrastAround(Levels(), channelMeans, factor); // [N, 3, T, 1, 256]
        return scope.MoveToOuter(Lut(x, table.reshape(n * 3 * t, 256)));
    }

    /// <summary>Stretches each channel of each frame from its lowest to its highest level to [0, 255].</summary>
    public static Tensor AutoContrast(Tensor x)
    {
        Check(x);
        using var scope = torch.NewDisposeScope();
        Tensor present = Histogram(x).gt(0).to(ScalarType.Int64); // [R, 256]
        Tensor up = torch.arange(256, ScalarType.Int64).unsqueeze(0);        // [1, 256]: 0, 1, ..., 255
        Tensor down = torch.arange(255, -1, -1, ScalarType.Int64).unsqueeze(0); // [1, 256]: 255, 254, ..., 0
        Tensor hi = (present * up).amax(1, keepdim: true);                     // [R, 1] highest level present
        Tensor lo = (present * down).amax(1, keepdim: true).neg() + 255;       // [R, 1] lowest: 255 - max(255 - v)
        Tensor table = ToneOps.Stretch(torch.arange(256, ScalarType.Float32).unsqueeze(0), lo.to(ScalarType.Float32), hi.to(ScalarType.Float32)); // [R, 256]
        return scope.MoveToOuter(Lut(x, table));
    }

    /// <summary>Histogram equalisation of each channel of each frame (<see cref="HistogramEqualize.Table"/>).</summary>
    public static Tensor Equalize(Tensor x)
    {
        (long _, long _, long pixels) = Check(x);
        using var scope = torch.NewDisposeScope();
        (Tensor lut, Tensor flat) = HistogramEqualize.Table(Histogram(x), pixels); // [R, 256], [R, 1]
        Tensor table = torch.where(flat, torch.arange(256, ScalarType.Int64).unsqueeze(0), lut); // flat rows: identity
        return scope.MoveToOuter(Lut(x, table));
    }

    /// <summary>Blend of each pixel with its luma (<see cref="ToneOps.Color"/>), natively.</summary>
    public static Tensor Color(Tensor x, double factor)
    {
        (long n, long _, long _) = Check(x);
        using var scope = torch.NewDisposeScope();
        Tensor result = torch.empty(x.shape, ScalarType.Byte);
        torch.augment.adjust_saturation_into(x.reshape(n, 3, -1), factor, result.reshape(n, 3, -1)); // [N, 3, T·H·W]
        return scope.MoveToOuter(result);
    }

    /// <summary>Blend with the 3x3 smoothed image (<see cref="ToneOps.Sharpness"/>), natively.</summary>
    public static Tensor Sharpness(Tensor x, double factor)
    {
        Check(x);
        long[] s = x.shape;
        using var scope = torch.NewDisposeScope();
        Tensor result = torch.empty(s, ScalarType.Byte);
        torch.augment.adjust_sharpness_into(x.reshape(-1, s[3], s[4]), factor, result.reshape(-1, s[3], s[4])); // [N·3·T, H, W]
        return scope.MoveToOuter(result);
    }

    /// <summary>
    /// Maps every value of <c>x [N, 3, T, H, W]</c> uint8 through a table of its row (channel of a
    /// frame): <paramref name="table"/> is <c>[R, 256]</c> for the R = N·3·T rows, or <c>[1, 256]</c>
    /// for all of them, of any numeric type holding levels in [0, 255] (cast to uint8 toward zero).
    /// </summary>
    public static Tensor Lut(Tensor x, Tensor table)
    {
        (long n, long t, long _) = Check(x);
        long rows = n * 3 * t;
        if (table.dim() != 2 || table.size(1) != 256 || (table.size(0) != rows && table.size(0) != 1))
            throw new ArgumentException($"a table for {rows} rows must be [{rows}, 256] or [1, 256], got [{string.Join(", ", table.shape)}]",
                nameof(table));
        using var scope = torch.NewDisposeScope();
        Tensor result = torch.empty(x.shape, ScalarType.Byte);
        Tensor bytes = table.dtype == ScalarType.Byte ? table.contiguous() : table.to(ScalarType.Byte).contiguous(); // [G, 256]
        torch.augment.lut_into(x.reshape(rows, -1), bytes, result.reshape(rows, -1)); // [R, H·W]
        return scope.MoveToOuter(result);
    }

    /// <summary>Counts of each level in each row (channel of a frame) of <c>x [N, 3, T, H, W]</c>: <c>[N·3·T, 256]</c> int64.</summary>
    public static Tensor Histogram(Tensor x)
    {
        (long n, long t, long _) = Check(x);
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(torch.augment.histogram_rows(x.reshape(n * 3 * t, -1)));
    }

    /// <summary>Checks a uint8 CPU clip <c>[N, 3, T, H, W]</c>; returns N, T and the pixels of a frame.</summary>
    public static (long N, long T, long Pixels) Check(Tensor x)
    {
        long[] s = x.shape;
        if (s.Length != 5 || s[1] != 3)
            throw new ArgumentException($"expected clips [N, 3, T, H, W], got [{string.Join(", ", s)}]", nameof(x));
        if (x.dtype != ScalarType.Byte || x.device.Type != DeviceType.CPU)
            throw new ArgumentException($"expected a uint8 CPU tensor, got {x.dtype} on {x.device}", nameof(x));
        if (!x.is_contiguous()) throw new ArgumentException("expected a contiguous clip", nameof(x));
        return (s[0], s[2], s[3] * s[4]);
    }

    // A pointwise operation whose formula does not depend on the clip: one table for every row.
    private static Tensor Pointwise(Tensor x, Func<Tensor, Tensor> op)
    {
        Check(x);
        using var scope = torch.NewDisposeScope();
        Tensor table = op(Levels()).select(1, 0).reshape(1, 256); // channel 0 of [1, 3, 1, 1, 256]
        return scope.MoveToOuter(Lut(x, table));
    }

    // The 256 levels as a float32 clip [1, 3, 1, 1, 256] (every channel 0, 1, ..., 255).
    private static Tensor Levels() =>
        torch.arange(256, ScalarType.Float32).reshape(1, 1, 1, 1, 256).expand(1, 3, 1, 1, 256).contiguous();
}
