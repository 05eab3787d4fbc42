namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// Every random parameter of one batch's view augmentation, drawn before any pixel is touched
/// (so it can be logged, replayed or checked). Arrays are indexed by sample; frame arrays by
/// [sample][frame]. RandAugment and Erasing are null when switched off.
/// </summary>
public sealed record ViewPlan(
    CropBox[] Crop1,
    bool[] Flip1,
    CropBox[] Crop2,
    bool[] Flip2,
    RandAugmentStep[][]? RandAugment,
    CropBox?[]? Erasing,
    MixParams Mix,
    CropBox[][] FrameCrops,
    bool[][] FrameFlips);
