using CrossVideoMAE.Torch;

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

    /// <summary>A random batch: view 2 is view 1 plus noise; the sampled frames are view 1's frames at the indices.</summary>
    public static CrossVideoMaeBatch Batch(ModelConfig c, long b, long n, ulong seed)
    {
        using var g = new Generator(seed);
        Tensor v1 = torch.randn([b, c.InChannels, c.NumFrames, c.VideoSize, c.VideoSize], g).DetachFromDisposeScope();
        Tensor v2 = (v1 + torch.randn(v1.shape, g) * 0.5).DetachFromDisposeScope();
        Tensor idx = torch.randint(0, c.NumFrames, [b, n], g).DetachFromDisposeScope();
        // frames[i, j] = v1[i, :, idx[i, j]]
        Tensor frames = v1.permute(0, 2, 1, 3, 4)                                       // [B, T, C, H, W]
            .gather(1, idx.reshape(b, n, 1, 1, 1).expand(b, n, c.InChannels, c.VideoSize, c.VideoSize))
            .DetachFromDisposeScope();
        return new CrossVideoMaeBatch(v1, v2, frames, idx);
    }
}
