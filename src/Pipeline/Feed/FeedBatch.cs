using CrossVideoMAE.Model;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Feed;

/// <summary>
/// One augmented training batch (this rank's share of a global batch) and where it sits in the data
/// order: <see cref="Epoch"/>, the position of its first sample in that epoch's order
/// (<see cref="FirstSample"/>; its samples are the consecutive positions from there) and the global
/// batch's <see cref="BatchIndex"/> in the epoch, so a checkpoint can name the exact next sample.
/// View1, View2 [B, 3, T, S, S]; Frames [B, n, 3, S, S] (float32, normalised, on the training
/// device); FrameIndices [B, n] int64. Owns the tensors; when they were rented from a
/// <see cref="ViewBufferPool"/>, disposing hands View1, View2 and Frames back for the next batches,
/// so no view of them may be used after the batch is disposed.
/// </summary>
public sealed class FeedBatch(int epoch, long firstSample, long batchIndex, Tensor view1, Tensor view2, Tensor frames, Tensor frameIndices,
    ViewBufferPool? buffers = null) : ITrainingBatch
{
    private bool disposed;

    public int Epoch { get; } = epoch;
    public long FirstSample { get; } = firstSample;
    public long BatchIndex { get; } = batchIndex;
    public Tensor View1 { get; } = view1;
    public Tensor View2 { get; } = view2;
    public Tensor Frames { get; } = frames;
    public Tensor FrameIndices { get; } = frameIndices;
    public long Size => View1.size(0);

    public CrossVideoMaeBatch ToModelBatch() => new(View1, View2, Frames, FrameIndices);

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (Tensor view in new[] { View1, View2, Frames })
        {
            if (buffers is null) view.Dispose();
            else buffers.Return(view);
        }
        FrameIndices.Dispose();
    }
}
