using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// Histogram equalisation of each channel of each frame, with tensor ops only (no per-pixel loop),
/// so it runs batched on any device. It reproduces PIL's ImageOps.equalize and torchvision's
/// equalize: with hist the 256-bin histogram of a channel and n the number of its pixels,
/// step = floor((n - hist[highest level present]) / 255); if step is 0 the channel is left as it is,
/// else lut[i] = min(255, floor((cdf[i-1] + floor(step / 2)) / step)) with lut[0] = 0. A value v is
/// counted at level floor(v) (clamped to [0, 255]); on integer input this is the 8-bit algorithm.
/// </summary>
public static class HistogramEqualize
{
    /// <summary><c>x [N, 3, T, H, W]</c> float (0–255) to a new tensor of the same shape.</summary>
    public static Tensor Apply(Tensor x)
    {
        ToneOps.CheckClip(x);
        using var scope = torch.NewDisposeScope();
        long[] s = x.shape;
        long rowsCount = s[0] * s[1] * s[2], pixels = s[3] * s[4];
        Tensor rows = x.reshape(rowsCount, pixels); // [R, P], one row per channel of a frame
        Tensor levels = rows.clamp(0, 255).to(ScalarType.Int64); // [R, P]; truncation is floor on [0, 255]

        Tensor ones = torch.ones([1, 1], ScalarType.Int64, x.device).expand(rowsCount, pixels); // [R, P], no storage
        Tensor hist = torch.zeros([rowsCount, 256], ScalarType.Int64, x.device).scatter_add(1, levels, ones); // [R, 256]
        (Tensor lut, Tensor flat) = Table(hist, pixels); // [R, 256], [R, 1]

        Tensor mapped = lut.to(x.dtype).gather(1, levels); // [R, P]
        Tensor result = flat.any().item() != 0 ? torch.where(flat, rows, mapped) : mapped; // [R, P]
        return scope.MoveToOuter(result.reshape(s));
    }

    /// <summary>
    /// The equalisation table of each row from its histogram <c>hist [R, 256]</c> (int64) of
    /// <paramref name="pixels"/> values: <c>lut [R, 256]</c> in [0, 255] (integral values; float32, as clamp promotes), and <c>flat [R, 1]</c>,
    /// true for the rows that are left as they are (step 0; their lut is meaningless).
    /// </summary>
    public static (Tensor Lut, Tensor Flat) Table(Tensor hist, long pixels)
    {
        using var scope = torch.NewDisposeScope();
        long rowsCount = hist.size(0);
        Tensor binIndex = torch.arange(256, ScalarType.Int64, hist.device).unsqueeze(0); // [1, 256]
        Tensor top = (hist.gt(0).to(ScalarType.Int64) * binIndex).amax(1, keepdim: true); // [R, 1] highest level present
        Tensor topCount = hist.gather(1, top); // [R, 1]
        Tensor step = (pixels - topCount).floor_divide(255); // [R, 1]
        Tensor safeStep = step.clamp_min(1);
        Tensor cdf = hist.cumsum(1); // [R, 256]
        Tensor shifted = torch.cat([torch.zeros([rowsCount, 1], ScalarType.Int64, hist.device), cdf.narrow(1, 0, 255)], 1); // [R, 256] cdf[i-1]
        Tensor lut = (shifted + step.floor_divide(2)).floor_divide(safeStep).clamp(0, 255); // [R, 256]
        return (scope.MoveToOuter(lut), scope.MoveToOuter(step.eq(0)));
    }
}
