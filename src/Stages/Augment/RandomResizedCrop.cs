using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// torchvision's RandomResizedCrop: a box of area scale·H·W (scale uniform in [MinScale, MaxScale])
/// and aspect ratio w/h log-uniform in [MinRatio, MaxRatio]; up to 10 attempts, then a centre crop
/// clamped to the ratio range. The box is then resized to Size x Size. A clip uses one box for all
/// its frames.
/// </summary>
public sealed class RandomResizedCrop
{
    public const int Attempts = 10;

    public RandomResizedCrop(int size = 224, double minScale = 0.08, double maxScale = 1.0,
        double minRatio = 3.0 / 4.0, double maxRatio = 4.0 / 3.0,
        InterpolationMode interpolation = InterpolationMode.Bilinear, bool antialias = false)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "output size must be positive");
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1))
            throw new ArgumentException($"scale range [{minScale}, {maxScale}] must satisfy 0 < min <= max <= 1");
        if (!(minRatio > 0 && minRatio <= maxRatio))
            throw new ArgumentException($"ratio range [{minRatio}, {maxRatio}] must satisfy 0 < min <= max");
        if (interpolation is not (InterpolationMode.Bilinear or InterpolationMode.Bicubic or InterpolationMode.Nearest))
            throw new ArgumentException($"interpolation {interpolation} is not a 2-D image mode", nameof(interpolation));
        Size = size;
        MinScale = minScale;
        MaxScale = maxScale;
        MinRatio = minRatio;
        MaxRatio = maxRatio;
        Interpolation = interpolation;
        Antialias = antialias;
    }

    public int Size { get; }
    public double MinScale { get; }
    public double MaxScale { get; }
    public double MinRatio { get; }
    public double MaxRatio { get; }
    public InterpolationMode Interpolation { get; }
    public bool Antialias { get; }

    /// <summary>Draws a crop box for an image of the given size (torchvision's get_params).</summary>
    public CropBox SampleBox(AugmentRandom rng, int height, int width)
    {
        double area = (double)height * width;
        double logLo = Math.Log(MinRatio), logHi = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double targetArea = area * rng.Uniform(MinScale, MaxScale);
            double aspect = Math.Exp(rng.Uniform(logLo, logHi));
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspect), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = rng.IntInclusive(0, height - h);
                int left = rng.IntInclusive(0, width - w);
                return new CropBox(top, left, h, w);
            }
        }
        return CenterFallback(height, width);
    }

    /// <summary>The box used when all attempts fail: the whole image, narrowed to the ratio range.</summary>
    public CropBox CenterFallback(int height, int width)
    {
        double inRatio = (double)width / height;
        int w, h;
        if (inRatio < MinRatio)
        {
            w = width;
            h = (int)Math.Round(w / MinRatio, MidpointRounding.ToEven);
        }
        else if (inRatio > MaxRatio)
        {
            h = height;
            w = (int)Math.Round(h * MaxRatio, MidpointRounding.ToEven);
        }
        else
        {
            w = width;
            h = height;
        }
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }

    /// <summary>One box per sample, drawn in sample order.</summary>
    public CropBox[] Sample(AugmentRandom rng, int count, int height, int width)
    {
        var boxes = new CropBox[count];
        for (int i = 0; i < count; i++) boxes[i] = SampleBox(rng, height, width);
        return boxes;
    }

    /// <summary>Crops <c>images [N, H, W, 3]</c> (the frames of one clip) to the box and resizes
    /// to <c>[N, 3, Size, Size]</c> (or <c>[3, N, Size, Size]</c> with <paramref name="channelsFirst"/>)
    /// float32, 0–255 scale.</summary>
    public Tensor Apply(Tensor images, CropBox box, bool channelsFirst = false) =>
        ClipTensor.CropResize(images, box, Size, Size, Interpolation, Antialias, channelsFirst);

    /// <summary>Crops <c>images [N, H, W, 3]</c> to the box, resizes and mirrors when
    /// <paramref name="flip"/> is set: a new float32 <c>[3, N, Size, Size]</c> on the 0–255 scale.</summary>
    public Tensor ApplyPlanar(Tensor images, CropBox box, bool flip) =>
        ClipTensor.CropResizePlanar(images, box, Size, Size, Interpolation, Antialias, flip);

    /// <summary>Crops <c>images [N, H, W, 3]</c> to the box, resizes, mirrors when
    /// <paramref name="flip"/> is set, normalises when <paramref name="normalize"/> is given, and
    /// writes into <c>destination [3, N, Size, Size]</c> (a float32 view, e.g. one row of a batch).</summary>
    public void ApplyInto(Tensor images, CropBox box, Tensor destination, bool flip, Normalize? normalize) =>
        ClipTensor.CropResizeInto(images, box, destination, Interpolation, Antialias, flip, normalize);
}
