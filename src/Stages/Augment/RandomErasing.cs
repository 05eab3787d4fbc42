using CrossVideoMAE.Torch;
using CrossVideoMAE.Stages.Augment.Native;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>How erased pixels are filled.</summary>
public enum ErasingFill
{
    /// <summary>Independent standard-normal noise per pixel, channel and frame (timm's "pixel" mode).</summary>
    Pixel,
    /// <summary>Zeros (timm's "const" mode): the dataset mean after normalisation.</summary>
    Zero,
}

/// <summary>
/// timm's RandomErasing (mode "pixel", one box): with probability P, up to 10 attempts to draw a
/// box of area uniform in [MinArea, MaxArea] of the image and aspect ratio log-uniform in
/// [MinAspect, 1/MinAspect]; h = round(sqrt(area·aspect)), w = round(sqrt(area/aspect)), accepted
/// when h &lt; H and w &lt; W, position uniform. Applied after normalisation. A clip uses one box
/// for all its frames (the noise differs per frame).
/// </summary>
public sealed class RandomErasing
{
    public const int Attempts = 10;

    public RandomErasing(double p = 0.25, double minArea = 0.02, double maxArea = 1.0 / 3.0, double minAspect = 0.3,
        ErasingFill fill = ErasingFill.Pixel)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "erasing probability must be in [0, 1]");
        if (!(minArea > 0 && minArea <= maxArea && maxArea <= 1))
            throw new ArgumentException($"area range [{minArea}, {maxArea}] must satisfy 0 < min <= max <= 1");
        if (!(minAspect > 0)) throw new ArgumentOutOfRangeException(nameof(minAspect), minAspect, "aspect ratio must be positive");
        P = p;
        MinArea = minArea;
        MaxArea = maxArea;
        MinAspect = Math.Min(minAspect, 1 / minAspect);
        MaxAspect = 1 / MinAspect;
        Fill = fill;
    }

    public double P { get; }
    public double MinArea { get; }
    public double MaxArea { get; }
    public double MinAspect { get; }
    public double MaxAspect { get; }
    public ErasingFill Fill { get; }

    /// <summary>Draws the box of one sample, or null when it is not erased.</summary>
    public CropBox? SampleBox(AugmentRandom rng, int height, int width)
    {
        if (!rng.Bernoulli(P)) return null;
        double area = (double)height * width;
        double logLo = Math.Log(MinAspect), logHi = Math.Log(MaxAspect);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double target = rng.Uniform(MinArea, MaxArea) * area;
            double aspect = Math.Exp(rng.Uniform(logLo, logHi));
            int h = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
            int w = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
            if (w < width && h < height && w > 0 && h > 0)
            {
                int top = rng.IntInclusive(0, height - h);
                int left = rng.IntInclusive(0, width - w);
                return new CropBox(top, left, h, w);
            }
        }
        return null;
    }

    /// <summary>One decision (and box) per sample, drawn in sample order.</summary>
    public CropBox?[] Sample(AugmentRandom rng, int count, int height, int width)
    {
        var boxes = new CropBox?[count];
        for (int i = 0; i < count; i++) boxes[i] = SampleBox(rng, height, width);
        return boxes;
    }

    /// <summary>
    /// Erases the boxes in <c>x [B, C, T, H, W]</c> in place (every frame of a clip at the same
    /// place). Pixel noise is standard normal, drawn sample by sample on the CPU from a seed taken
    /// from <paramref name="rng"/> (<see cref="AugmentRandom.NextNoiseSeed"/>): written straight into
    /// the box when x is a float32 CPU tensor, else filled into a CPU float32 box and copied to x.
    /// </summary>
    public void ApplyInPlace(Tensor x, CropBox?[] boxes, AugmentRandom rng)
    {
        long[] s = x.shape;
        if (s.Length != 5) throw new ArgumentException($"expected clips [B, C, T, H, W], got [{string.Join(", ", s)}]", nameof(x));
        if (boxes.Length != s[0]) throw new ArgumentException($"{boxes.Length} erasing boxes for a batch of {s[0]}", nameof(boxes));
        for (int i = 0; i < boxes.Length; i++)
        {
            if (boxes[i] is not CropBox box) continue;
            if (!box.FitsIn((int)s[3], (int)s[4]))
                throw new ArgumentOutOfRangeException(nameof(boxes), box, $"erasing box does not fit a {s[3]}x{s[4]} image");
            using var scope = torch.NewDisposeScope();
            Tensor region = x.select(0, i).narrow(2, box.Top, box.Height).narrow(3, box.Left, box.Width); // [C, T, h, w] view
            if (Fill == ErasingFill.Zero)
                region.zero_();
            else if (region.device.Type == DeviceType.CPU && region.dtype == ScalarType.Float32)
                AugmentKernels.normal_fill_(region, rng.NextNoiseSeed());
            else
            {
                Tensor noise = torch.empty(region.shape, ScalarType.Float32); // [C, T, h, w] on the CPU
                AugmentKernels.normal_fill_(noise, rng.NextNoiseSeed());
                region.copy_(noise.to(x.device));
            }
        }
    }
}
