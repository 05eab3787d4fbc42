using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// The evaluation transform: short side to <see cref="ShortSide"/>, then one centre crop
/// (SpatialCrops = 1) or three crops spread along the long side (SpatialCrops = 3: start, centre,
/// end, i.e. left/centre/right for landscape video) of CropSize, normalised. Multi-view testing
/// usually resizes the short side to the crop size (224) so the three crops cover the frame:
/// <see cref="MultiView"/>.
/// </summary>
public sealed record EvalConfig(int ShortSide = 256, int CropSize = 224, int SpatialCrops = 1)
{
    /// <summary>Three spatial crops at short side 224 (VideoMAE/SlowFast multi-view testing).</summary>
    public static EvalConfig MultiView { get; } = new(224, 224, 3);
}

public sealed class EvalTransform
{
    private readonly ShortSideResize resize;
    private readonly Normalize normalize;

    public EvalTransform(EvalConfig config, Normalize? normalize = null)
    {
        if (config.SpatialCrops is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(config), config.SpatialCrops, "spatial crops must be 1 or 3");
        if (config.CropSize < 1 || config.CropSize > config.ShortSide)
            throw new ArgumentOutOfRangeException(nameof(config), config.CropSize, $"crop size must be in [1, short side {config.ShortSide}]");
        Config = config;
        resize = new ShortSideResize(config.ShortSide);
        this.normalize = normalize ?? Normalize.ImageNet;
    }

    public EvalConfig Config { get; }

    /// <summary>The crop boxes in an image of the given (already resized) size.</summary>
    public CropBox[] CropBoxes(int height, int width)
    {
        int s = Config.CropSize;
        if (s > height || s > width) throw new ArgumentException($"a {s}x{s} crop does not fit a {height}x{width} frame");
        int top = CenterOffset(height, s), left = CenterOffset(width, s);
        if (Config.SpatialCrops == 1) return [new CropBox(top, left, s, s)];
        if (height > width)
            return [new CropBox(0, left, s, s), new CropBox(top, left, s, s), new CropBox(height - s, left, s, s)];
        return [new CropBox(top, 0, s, s), new CropBox(top, left, s, s), new CropBox(top, width - s, s, s)];
    }

    /// <summary><c>clips [B, T, H, W, 3]</c> (uint8 or float 0–255) to
    /// <c>[B, SpatialCrops, 3, T, S, S]</c> float32, normalised.</summary>
    public Tensor Apply(Tensor clips)
    {
        (int b, int t, int _, int _) = ClipTensor.Check(clips, nameof(clips));
        using var scope = torch.NewDisposeScope();
        Tensor c = resize.Apply(clips); // [B, T, H', W', 3]
        CropBox[] boxes = CropBoxes((int)c.size(2), (int)c.size(3));
        long s = Config.CropSize;
        Tensor result = torch.empty([b, boxes.Length, 3, t, s, s], ScalarType.Float32, clips.device);
        for (int i = 0; i < b; i++)
            for (int k = 0; k < boxes.Length; k++)
            {
                using var inner = torch.NewDisposeScope();
                ClipTensor.CropResizeInto(c.select(0, i), boxes[k], result.select(0, i).select(0, k), // [3, T, S, S]
                    InterpolationMode.Bilinear, antialias: false, flip: false, normalize);
            }
        return scope.MoveToOuter(result);
    }

    // torchvision's center_crop offset: int(round((size - crop) / 2)).
    private static int CenterOffset(int size, int crop) => (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven);
}
