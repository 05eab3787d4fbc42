using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Feed;

/// <summary>
/// The uint8 input tensors of one batch, decoded into in place: Clips [B, T, H, W, 3] and Frames
/// [B, n, H, W, 3], rented from the feed's input pool. Used when every sample of the batch has the
/// same frame count and frame size (the usual case: prepare resizes every video to one short side
/// and the aspect ratios agree), so the decoder writes each sample into its own row and collation
/// has nothing to copy. Created by the feed's reader, handed through the decoded samples to
/// collation, which passes the tensors on to the augmentation; the augmenting step gives them back
/// to the pool.
/// </summary>
public sealed class BatchSlab(Tensor clips, Tensor frames)
{
    public Tensor Clips { get; } = clips;
    public Tensor Frames { get; } = frames;

    /// <summary>A slab for <paramref name="rows"/> when they all share frame count, sampled-frame
    /// count and frame size; otherwise null (collation then crops and stacks).</summary>
    public static BatchSlab? ForRows(IReadOnlyList<ShardRow> rows, ViewBufferPool pool)
    {
        if (rows.Count == 0) return null;
        ShardRow first = rows[0];
        int t = first.Frames.Count, n = first.SampledFrames.Count;
        foreach (ShardRow r in rows)
            if (r.Frames.Count != t || r.SampledFrames.Count != n || r.Height != first.Height || r.Width != first.Width)
                return null;
        Tensor clips = pool.Rent([rows.Count, t, first.Height, first.Width, 3], ScalarType.Byte, Device.CPU);
        Tensor frames = pool.Rent([rows.Count, n, first.Height, first.Width, 3], ScalarType.Byte, Device.CPU);
        return new BatchSlab(clips, frames);
    }
}
