using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model;

/// <summary>
/// One pre-training batch. View1, View2: [B, C, T, H, W] (u^1 base augmentation, u^2 strong);
/// Frames: [B, n, C, Hf, Wf] the sampled frames f_i; FrameIndices: [B, n] int64, the position of each
/// sampled frame in the clip (0..T-1). Pixels are ImageNet-normalised.
/// </summary>
public sealed record CrossVideoMaeBatch(Tensor View1, Tensor View2, Tensor Frames, Tensor FrameIndices)
{
    public long BatchSize => View1.size(0);
    public long FramesPerSample => Frames.size(1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent shape.</summary>
    public void Validate(ModelConfig config)
    {
        long[] want = [BatchSize, config.InChannels, config.NumFrames, config.VideoSize, config.VideoSize];
        Check(View1.shape, want, "view 1");
        Check(View2.shape, want, "view 2");
        long n = Frames.dim() == 5 ? Frames.size(1) : -1;
        Check(Frames.shape, [BatchSize, n, config.InChannels, config.FrameSize, config.FrameSize], "sampled frames");
        if (n < 1) throw new ArgumentException("a sample needs at least one sampled frame");
        Check(FrameIndices.shape, [BatchSize, n], "frame indices");
        if (FrameIndices.dtype is not (ScalarType.Int64 or ScalarType.Int32))
            throw new ArgumentException($"frame indices must be integers, got {FrameIndices.dtype}");
    }

    private static void Check(long[] got, long[] want, string what)
    {
        if (!got.SequenceEqual(want))
            throw new ArgumentException($"{what}: expected shape [{string.Join(", ", want)}], got [{string.Join(", ", got)}]");
    }
}
