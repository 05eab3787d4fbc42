using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Feed;

/// <summary>
/// Stacks decoded samples into batch tensors. Clips of one batch may differ in height and width
/// (videos of different aspect ratios, resized to the same short side by prepare): every clip and
/// every sampled frame is center-cropped to the smallest height and the smallest width in the
/// batch before stacking (for H the crop starts at (H - minH) / 2, rounded down; likewise W). The
/// random-resized crop that follows then picks its box inside that common center region.
/// Samples decoded into one <see cref="BatchSlab"/> (all of one size) are already stacked: the
/// slab's tensors are returned as they are.
/// </summary>
public static class BatchCollate
{
    /// <summary>Clips [B, T, h, w, 3], frames [B, n, h, w, 3] (uint8) and frame positions [B, n] (int64).</summary>
    public static (Tensor Clips, Tensor Frames, Tensor Positions) Stack(IReadOnlyList<DecodedSample> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("a batch needs at least one sample");
        int t = (int)samples[0].Clip.size(0), n = samples[0].SampledPositions.Length;
        foreach (DecodedSample s in samples)
            if (s.Clip.size(0) != t || s.SampledPositions.Length != n)
                throw new InvalidDataException($"video '{s.VideoId}' clip {s.ClipIndex} has {s.Clip.size(0)} frames and {s.SampledPositions.Length} sampled frames; the batch has {t} and {n}");
        int h = samples.Min(s => s.Height), w = samples.Min(s => s.Width);
        long[] positions = samples.SelectMany(s => s.SampledPositions.Select(p => (long)p)).ToArray();

        // Decoded in place into one slab: the batch is already stacked.
        BatchSlab? slab = samples[0].Slab;
        if (slab is not null && slab.Clips.size(0) == samples.Count && samples.All(s => ReferenceEquals(s.Slab, slab)))
            return (slab.Clips, slab.Frames, torch.tensor(positions, samples.Count, n).DetachFromDisposeScope());
        if (samples.Any(s => s.Slab is not null))
            throw new InvalidOperationException("a batch mixes samples decoded into a batch slab with others");

        using var scope = torch.NewDisposeScope();
        Tensor clips = torch.stack(samples.Select(s => CenterCrop(s.Clip, h, w)).ToList());    // [B, T, h, w, 3]
        Tensor frames = torch.stack(samples.Select(s => CenterCrop(s.Frames, h, w)).ToList()); // [B, n, h, w, 3]
        Tensor pos = torch.tensor(positions, samples.Count, n);                              // [B, n]
        return (scope.MoveToOuter(clips), scope.MoveToOuter(frames), scope.MoveToOuter(pos));
    }

    // images [k, H, W, 3] -> the centered [k, h, w, 3] view
    private static Tensor CenterCrop(Tensor images, int h, int w)
    {
        long top = (images.size(1) - h) / 2, left = (images.size(2) - w) / 2;
        return images.narrow(1, top, h).narrow(2, left, w);
    }
}
