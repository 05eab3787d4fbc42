using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Feed;

/// <summary>
/// One shard row decoded to pixels. Clip [T, H, W, 3] and Frames [n, H, W, 3] are uint8 CPU tensors
/// (owned here: dispose the sample); SampledPositions are the frames' positions in the clip (0..T-1).
/// </summary>
public sealed record DecodedSample(string VideoId, int ClipIndex, int Label, Tensor Clip, Tensor Frames, int[] SampledPositions) : IDisposable
{
    public int Height => (int)Clip.size(1);
    public int Width => (int)Clip.size(2);

    public void Dispose()
    {
        Clip.Dispose();
        Frames.Dispose();
    }
}
