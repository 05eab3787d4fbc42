using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Diagnostics;

/// <summary>
/// A deterministic random batch for inspection, tests and benchmarks: view 1 ~ N(0, 1);
/// view 2 = view 1 + 0.5 N(0, 1); frame indices uniform in [0, T); the sampled frames are view 1's
/// frames at those indices (so the frame size must equal the video size).
/// </summary>
public static class SyntheticBatch
{
    public static CrossVideoMaeBatch Make(ModelConfig c, long batchSize, long framesPerSample, ulong seed, Device? device = null)
    {
        if (c.FrameSize != c.VideoSize)
            throw new ArgumentException($"synthetic frames are cut from the clip: frame size {c.FrameSize} must equal video size {c.VideoSize}");
        using var g = new Generator(seed);
        using var scope = torch.NewDisposeScope();
        long b = batchSize, n = framesPerSample, ch = c.InChannels, s = c.VideoSize;
        Tensor v1 = torch.randn([b, ch, c.NumFrames, s, s], g);                             // [B, C, T, H, W]
        Tensor v2 = v1 + torch.randn(v1.shape, g) * 0.5;
        Tensor idx = torch.randint(0, c.NumFrames, [b, n], g);                              // [B, n]
        Tensor frames = v1.permute(0, 2, 1, 3, 4)                                           // [B, T, C, H, W]
            .gather(1, idx.reshape(b, n, 1, 1, 1).expand(b, n, ch, s, s));                  // [B, n, C, H, W]
        Device d = device ?? Device.CPU;
        return new CrossVideoMaeBatch(
            scope.MoveToOuter(v1.to(d)), scope.MoveToOuter(v2.to(d)),
            scope.MoveToOuter(frames.contiguous().to(d)), scope.MoveToOuter(idx.to(d)));
    }
}
