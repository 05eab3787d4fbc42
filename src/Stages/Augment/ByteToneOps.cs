using CrossVideoMAE.Torch;
using CrossVideoMAE.Stages.Augment.Native;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// The photometric RandAugment operations on uint8 clips <c>[N, 3, T, H, W]</c> on the CPU, where
/// the train feed runs them (torchvision, the reference, also runs RandAugment on uint8 images).
/// Each gives the value of the float operation of <see cref="ToneOps"/> (or
/// <see cref="HistogramEqualize"/>) on the clip's integer levels, cast to uint8 toward zero as
/// torchvision's uint8 ops cast: one formula per operation, whatever the type.
/// <list type="bullet">
/// <item>Pointwise operations (brightness, posterize, solarize, contrast, autocontrast, equalize)
/// are a table of 256 levels per row (one channel of one frame; <c>[R, 256]</c> int64, or
/// <c>[1, 256]</c> for all rows): ToneOps' formula evaluated on the levels 0..255, with the
/// statistics (channel means, range, equalisation) taken from the clip's histogram
/// (<see cref="AugmentKernels.histogram_rows"/>). One native pass applies a table
/// (<see cref="AugmentKernels.lut_into"/>); <see cref="PendingLevels"/> composes the tables of
/// consecutive steps instead, so they cost no pass at all until the pixels are needed.</item>
/// <item>Color and sharpness mix neighbouring values: native kernels of the same float formulas
/// (<see cref="AugmentKernels.adjust_saturation_into"/>, <see cref="AugmentKernels.adjust_sharpness_into"/>).</item>
/// </list>
/// Statistics are per frame (contrast) or per channel of a frame (autocontrast, equalize), as in
/// the float operations. The operations return new tensors.
/// </summary>
public static class ByteToneOps
{
    /// <summary>factor · v, clamped, cast to uint8.</summary>
    public static Tensor Brightness(Tensor x, double factor) => Lut(x, BrightnessTable(factor));

    /// <summary>The top <paramref name="bits"/> bits of each level.</summary>
    public static Tensor Posterize(Tensor x, int bits) => Lut(x, PosterizeTable(bits));

    /// <summary>v >= threshold ? 255 - v : v.</summary>
    public static Tensor Solarize(Tensor x, double threshold) => Lut(x, SolarizeTable(threshold));

    /// <summary>Blend with the mean luma of each frame (its channel means counted exactly).</summary>
    public static Tensor Contrast(Tensor x, double factor)
    {
        (long n, long t, long pixels) = Check(x);
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(Lut(x, ContrastTable(Histogram(x), n, t, pixels, factor)));
    }

    /// <summary>Stretches each channel of each frame from its lowest to its highest level to [0, 255].</summary>
    public static Tensor AutoContrast(Tensor x)
    {
        Check(x);
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(Lut(x, AutoContrastTable(Histogram(x))));
    }

    /// <summary>Histogram equalisation of each channel of each frame (<see cref="HistogramEqualize.Table"/>).</summary>
    public static Tensor Equalize(Tensor x)
    {
        (long _, long _, long pixels) = Check(x);
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(Lut(x, EqualizeTable(Histogram(x), pixels)));
    }

    /// <summary>Blend of each pixel with its luma (<see cref="ToneOps.Color"/>), natively.</summary>
    public static Tensor Color(Tensor x, double factor)
    {
        (long n, long _, long _) = Check(x);
        using var scope = torch.NewDisposeScope();
        Tensor result = torch.empty(x.shape, ScalarType.Byte);
        AugmentKernels.adjust_saturation_into(x.reshape(n, 3, -1), factor, result.reshape(n, 3, -1)); // [N, 3, T·H·W]
        return scope.MoveToOuter(result);
    }

    /// <summary>Blend with the 3x3 smoothed image (<see cref="ToneOps.Sharpness"/>), natively.</summary>
    public static Tensor Sharpness(Tensor x, double factor)
    {
        Check(x);
        long[] s = x.shape;
        using var scope = torch.NewDisposeScope();
        Tensor result = torch.empty(s, ScalarType.Byte);
        AugmentKernels.adjust_sharpness_into(x.reshape(-1, s[3], s[4]), factor, result.reshape(-1, s[3], s[4])); // [N·3·T, H, W]
        return scope.MoveToOuter(result);
    }

    // ---- tables: [1, 256] or [R, 256] int64 levels ----

    /// <summary>Brightness's table: <see cref="ToneOps.Brightness"/> on the levels, cast toward zero.</summary>
    public static Tensor BrightnessTable(double factor) => Constant(levels => ToneOps.Brightness(levels, factor));

    /// <summary>Posterize's table.</summary>
    public static Tensor PosterizeTable(int bits) => Constant(levels => ToneOps.Posterize(levels, bits));

    /// <summary>Solarize's table.</summary>
    public static Tensor SolarizeTable(double threshold) => Constant(levels => ToneOps.Solarize(levels, threshold));

    /// <summary>Contrast's table of each row from the histogram <c>[N·3·T, 256]</c> of clips <c>[N, 3, T, ...]</c>
    /// with <paramref name="pixels"/> values per row: <see cref="ToneOps.ContrastAround"/> the channel means.</summary>
    public static Tensor ContrastTable(Tensor hist, long n, long t, long pixels, double factor)
    {
        using var scope = torch.NewDisposeScope();
        Tensor sums = hist.to(ScalarType.Float64).matmul(torch.arange(256, ScalarType.Float64)); // [R]
        Tensor channelMeans = (sums / pixels).to(ScalarType.Float32).reshape(n, 3, t, 1, 1);    // [N, 3, T, 1, 1]
        Tensor table = ToneOps.ContrastAround(Levels(), channelMeans, factor);                  // [N, 3, T, 1, 256]
        return scope.MoveToOuter(table.reshape(n * 3 * t, 256).to(ScalarType.Int64));
    }

    /// <summary>AutoContrast's table of each row from its histogram <c>[R, 256]</c>: <see cref="ToneOps.Stretch"/>
    /// from the lowest to the highest level present.</summary>
    public static Tensor AutoContrastTable(Tensor hist)
    {
        using var scope = torch.NewDisposeScope();
        Tensor present = hist.gt(0).to(ScalarType.Int64);                         // [R, 256]
        Tensor up = torch.arange(256, ScalarType.Int64).unsqueeze(0);             // [1, 256]: 0, 1, ..., 255
        Tensor down = torch.arange(255, -1, -1, ScalarType.Int64).unsqueeze(0);   // [1, 256]: 255, 254, ..., 0
        Tensor hi = (present * up).amax(1, keepdim: true);                       // [R, 1] highest level present
        Tensor lo = (present * down).amax(1, keepdim: true).neg() + 255;         // [R, 1] lowest: 255 - max(255 - v)
        Tensor table = ToneOps.Stretch(torch.arange(256, ScalarType.Float32).unsqueeze(0), lo.to(ScalarType.Float32), hi.to(ScalarType.Float32));
        return scope.MoveToOuter(table.to(ScalarType.Int64)); // [R, 256]
    }

    /// <summary>Equalize's table of each row from its histogram <c>[R, 256]</c> of <paramref name="pixels"/> values
    /// (<see cref="HistogramEqualize.Table"/>; rows it leaves as they are get the identity).</summary>
    public static Tensor EqualizeTable(Tensor hist, long pixels)
    {
        using var scope = torch.NewDisposeScope();
        (Tensor lut, Tensor flat) = HistogramEqualize.Table(hist, pixels); // [R, 256], [R, 1]
        Tensor identity = torch.arange(256, ScalarType.Int64).unsqueeze(0); // [1, 256]
        return scope.MoveToOuter(torch.where(flat, identity, lut.to(ScalarType.Int64)));
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
        AugmentKernels.lut_into(x.reshape(rows, -1), bytes, result.reshape(rows, -1)); // [R, H·W]
        return scope.MoveToOuter(result);
    }

    /// <summary>Counts of each level in each row (channel of a frame) of <c>x [N, 3, T, H, W]</c>: <c>[N·3·T, 256]</c> int64.</summary>
    public static Tensor Histogram(Tensor x)
    {
        (long n, long t, long _) = Check(x);
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(AugmentKernels.histogram_rows(x.reshape(n * 3 * t, -1)));
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

    // A formula that does not depend on the clip: one table [1, 256] for every row.
    private static Tensor Constant(Func<Tensor, Tensor> op)
    {
        using var scope = torch.NewDisposeScope();
        Tensor table = op(Levels()).select(1, 0).reshape(1, 256); // channel 0 of [1, 3, 1, 1, 256]
        return scope.MoveToOuter(table.to(ScalarType.Int64));
    }

    // The 256 levels as a float32 clip [1, 3, 1, 1, 256] (every channel 0, 1, ..., 255).
    private static Tensor Levels() =>
        torch.arange(256, ScalarType.Float32).reshape(1, 1, 1, 1, 256).expand(1, 3, 1, 1, 256).contiguous();
}
