using CrossVideoMAE.Model.Diagnostics;

namespace CrossVideoMAE.Model.Tests;

/// <summary>Small inputs for fast tests: the tiny config at 4x32x32 clips and 32x32 frames
/// (8 video tokens, 4 image tokens), mask ratios that leave tokens visible.</summary>
internal static class TinySetup
{
    public static ModelConfig Config(double videoRatio = 0.5, double imageRatio = 0.5, MaskingKind masking = MaskingKind.Random) =>
        ModelConfigs.Tiny.WithInput(numFrames: 4, videoSize: 32) with
        {
            VideoMaskRatio = videoRatio,
            ImageMaskRatio = imageRatio,
            VideoMasking = masking,
        };

    /// <summary>A deterministic random batch (<see cref="SyntheticBatch"/>).</summary>
    public static CrossVideoMaeBatch Batch(ModelConfig c, long b, long n, ulong seed) => SyntheticBatch.Make(c, b, n, seed);
}
