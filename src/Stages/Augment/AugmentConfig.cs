namespace CrossVideoMAE.Stages.Augment;

/// <summary>The datasets the method is evaluated on; the kind decides dataset-specific defaults.</summary>
public enum DatasetKind { Kinetics400, SomethingSomethingV2, Ucf101, Hmdb51, Other }

/// <summary>
/// Every switch of the train-feed augmentation (docs/method.md "Data per sample i"). Defaults are the
/// method's: short side 256, RandomResizedCrop 224 scale [0.08, 1] ratio [3/4, 4/3], flip 0.5
/// (0 for SSv2), RandAugment m9 n2, random erasing 0.25, mixup 0.8, cutmix 1.0, label smoothing 0.1,
/// ImageNet mean/std. Each strong augmentation can be switched off (paper Table 4).
/// </summary>
public sealed record AugmentConfig
{
    public DatasetKind Dataset { get; init; } = DatasetKind.Kinetics400;

    // ---- base augmentation (both video views) ----
    public int ShortSide { get; init; } = 256;
    public int CropSize { get; init; } = 224;
    public double MinScale { get; init; } = 0.08;
    public double MaxScale { get; init; } = 1.0;
    public double MinRatio { get; init; } = 3.0 / 4.0;
    public double MaxRatio { get; init; } = 4.0 / 3.0;
    /// <summary>Antialias the video crop's bilinear resize. Off by default, as the video pipelines
    /// (pytorchvideo, VideoMAE) resize crops with plain F.interpolate; crops shrink by at most ~1.5x.</summary>
    public bool VideoAntialias { get; init; }
    /// <summary>Flip probability; null picks the dataset default (0 for SSv2, else 0.5).</summary>
    public double? FlipProbability { get; init; }
    /// <summary>When true u² reuses u¹'s crop and flip (only the strong augmentation differs);
    /// by default each view draws its own base augmentation (SimCLR-style).</summary>
    public bool SharedBaseCrop { get; init; }

    // ---- strong augmentation (view u²) ----
    public bool RandAugment { get; init; } = true;
    public int RandAugmentMagnitude { get; init; } = 9;
    public int RandAugmentOps { get; init; } = 2;
    public bool RandomErasing { get; init; } = true;
    public double ErasingProbability { get; init; } = 0.25;
    public ErasingFill ErasingFill { get; init; } = ErasingFill.Pixel;
    public bool Mixup { get; init; } = true;
    public double MixupAlpha { get; init; } = 0.8;
    public bool CutMix { get; init; } = true;
    public double CutMixAlpha { get; init; } = 1.0;
    public double MixSwitchProbability { get; init; } = 0.5;
    public double MixProbability { get; init; } = 1.0;
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>Classes of the soft targets (needed only when labels are passed).</summary>
    public int NumClasses { get; init; }

    // ---- sampled frames f ----
    /// <summary>Antialias the frames' bicubic resize (PIL-like, as timm's image RandomResizedCrop).</summary>
    public bool FrameAntialias { get; init; } = true;

    // ---- pixels ----
    public IReadOnlyList<double> Mean { get; init; } = Normalize.ImageNetMean;
    public IReadOnlyList<double> Std { get; init; } = Normalize.ImageNetStd;

    /// <summary>The flip probability in effect.</summary>
    public double EffectiveFlipProbability => FlipProbability ?? (Dataset == DatasetKind.SomethingSomethingV2 ? 0.0 : 0.5);

    /// <summary>Defaults for a dataset (SSv2: no flip).</summary>
    public static AugmentConfig For(DatasetKind dataset) => new() { Dataset = dataset };

    /// <summary>Throws with the field name when a value is out of range.</summary>
    public void Validate()
    {
        static void Require(bool ok, string field, object value, string rule)
        {
            if (!ok) throw new ArgumentException($"augment config: {field} = {value} ({rule})");
        }
        Require(ShortSide >= 1, nameof(ShortSide), ShortSide, "must be positive");
        Require(CropSize >= 1, nameof(CropSize), CropSize, "must be positive");
        Require(MinScale > 0 && MinScale <= MaxScale && MaxScale <= 1, nameof(MinScale), $"[{MinScale}, {MaxScale}]", "need 0 < min <= max <= 1");
        Require(MinRatio > 0 && MinRatio <= MaxRatio, nameof(MinRatio), $"[{MinRatio}, {MaxRatio}]", "need 0 < min <= max");
        Require(EffectiveFlipProbability is >= 0 and <= 1, nameof(FlipProbability), EffectiveFlipProbability, "must be in [0, 1]");
        Require(RandAugmentMagnitude is >= 0 and <= 30, nameof(RandAugmentMagnitude), RandAugmentMagnitude, "must be in [0, 30]");
        Require(RandAugmentOps >= 0, nameof(RandAugmentOps), RandAugmentOps, "must not be negative");
        Require(ErasingProbability is >= 0 and <= 1, nameof(ErasingProbability), ErasingProbability, "must be in [0, 1]");
        Require(MixupAlpha >= 0, nameof(MixupAlpha), MixupAlpha, "must not be negative");
        Require(CutMixAlpha >= 0, nameof(CutMixAlpha), CutMixAlpha, "must not be negative");
        Require(MixSwitchProbability is >= 0 and <= 1, nameof(MixSwitchProbability), MixSwitchProbability, "must be in [0, 1]");
        Require(MixProbability is >= 0 and <= 1, nameof(MixProbability), MixProbability, "must be in [0, 1]");
        Require(LabelSmoothing is >= 0 and < 1, nameof(LabelSmoothing), LabelSmoothing, "must be in [0, 1)");
        Require(NumClasses >= 0, nameof(NumClasses), NumClasses, "must not be negative");
        Require(Mean.Count == 3 && Std.Count == 3, nameof(Mean), $"{Mean.Count}/{Std.Count} values", "need 3 means and 3 stds (RGB)");
        Require(Std.All(s => s > 0), nameof(Std), string.Join(", ", Std), "must be positive");
    }
}
