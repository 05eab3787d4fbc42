using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Feed;

/// <summary>
/// One shard row decoded to pixels. Clip [T, H, W, 3] and Frames [n, H, W, 3] are uint8 CPU tensors
/// (owned here: dispose the sample); SampledPositions are the frames' positions in the clip (0..T-1).
/// When <see cref="Slab"/> is set, Clip and Frames are views of one row of the batch's tensors.
/// </summary>
public sealed record DecodedSample(string VideoId, int ClipIndex, int Label, Tensor Clip, Tensor Frames, int[] SampledPositions,
    BatchSlab? Slab = null) : IDisposable
{
    public int Height => (int)Clip.size(1);
    public int Width => (int)Clip.size(2);

    public void Dispose()
    {
        Clip.Dispose();
        Frames.Dispose();
    }
}
