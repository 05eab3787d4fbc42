using CrossVideoMAE.Model;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Feed;

/// <summary>
/// One augmented training batch (this rank's share of a global batch) and where it sits in the data
/// order: <see cref="Epoch"/>, the position of its first sample in that epoch's order
/// (<see cref="FirstSample"/>; its <see cref="Size"/> samples are the consecutive positions from there)
/// and the global batch's <see cref="BatchIndex"/> in the epoch, so a checkpoint can name the exact
/// next sample. Tensors are float32, normalised, on the training device.
/// <list type="bullet">
/// <item>Pre-training: View1, View2 [B, 3, T, S, S]; Frames [B, n, 3, S, S]; FrameIndices [B, n]
/// int64; no Targets.</item>
/// <item>Labelled (<see cref="FeedOptions.Labelled"/>, R = <see cref="FeedOptions.Repeats"/>): View2
/// [B*R, 3, T, S, S] (row j is copy j % R of sample j / R) and Targets [B*R, K] (soft labels, mixed
/// like View2); View1, Frames and FrameIndices are null.</item>
/// </list>
/// Owns the tensors; when they were rented from a <see cref="ViewBufferPool"/>, disposing hands
/// View1, View2 and Frames back for the next batches, so no view of them may be used after the batch
/// is disposed.
/// </summary>
public sealed class FeedBatch : ITrainingBatch
{
    private readonly ViewBufferPool? buffers;
    private bool disposed;

    /// <summary>A pre-training batch of the views of <c>view1.size(0)</c> samples.</summary>
    public FeedBatch(int epoch, long firstSample, long batchIndex, Tensor view1, Tensor view2, Tensor frames, Tensor frameIndices,
        ViewBufferPool? buffers = null)
        : this(epoch, firstSample, batchIndex, view1.size(0), view1, view2, frames, frameIndices, targets: null, buffers)
    {
    }

    private FeedBatch(int epoch, long firstSample, long batchIndex, long size, Tensor? view1, Tensor view2, Tensor? frames, Tensor? frameIndices,
        Tensor? targets, ViewBufferPool? buffers)
    {
        Epoch = epoch;
        FirstSample = firstSample;
        BatchIndex = batchIndex;
        Size = size;
        View1 = view1;
        View2 = view2;
        Frames = frames;
        FrameIndices = frameIndices;
        Targets = targets;
        this.buffers = buffers;
    }

    /// <summary>A labelled (fine-tuning) batch of <paramref name="samples"/> samples: view2
    /// [samples*R, 3, T, S, S], targets [samples*R, K].</summary>
    public static FeedBatch Labelled(int epoch, long firstSample, long batchIndex, long samples, Tensor view2, Tensor targets, ViewBufferPool? buffers = null)
    {
        if (samples < 1 || view2.size(0) % samples != 0 || targets.size(0) != view2.size(0))
            throw new ArgumentException($"{samples} samples cannot make a view of {view2.size(0)} rows and targets of {targets.size(0)}");
        return new FeedBatch(epoch, firstSample, batchIndex, samples, view1: null, view2, frames: null, frameIndices: null, targets, buffers);
    }

    public int Epoch { get; }
    public long FirstSample { get; }
    public long BatchIndex { get; }
    /// <summary>Base augmentation [B, 3, T, S, S]; null in a labelled batch.</summary>
    public Tensor? View1 { get; }
    /// <summary>Base plus strong augmentation: [B, 3, T, S, S], or [B*R, 3, T, S, S] in a labelled batch.</summary>
    public Tensor View2 { get; }
    /// <summary>Sampled frames [B, n, 3, S, S]; null in a labelled batch.</summary>
    public Tensor? Frames { get; }
    /// <summary>The sampled frames' positions in their clips [B, n] int64; null in a labelled batch.</summary>
    public Tensor? FrameIndices { get; }
    /// <summary>Soft targets [B*R, K] float32 of a labelled batch; null in a pre-training batch.</summary>
    public Tensor? Targets { get; }
    /// <summary>Samples in the batch (this rank's B, whatever the repeats).</summary>
    public long Size { get; }
    /// <summary>Rows of <see cref="View2"/>: <see cref="Size"/> x the repeats.</summary>
    public long Rows => View2.size(0);
    /// <summary>Whether this is a labelled (fine-tuning) batch.</summary>
    public bool IsLabelled => Targets is not null;

    /// <summary>The pre-training model's input; a labelled batch has none (no u¹, no frames).</summary>
    public CrossVideoMaeBatch ToModelBatch() =>
        View1 is not null && Frames is not null && FrameIndices is not null
            ? new(View1, View2, Frames, FrameIndices)
            : throw new InvalidOperationException("a labelled feed batch holds only View2 and Targets (no View1, Frames or FrameIndices): it is no pre-training batch");

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (Tensor? view in new[] { View1, View2, Frames })
        {
            if (view is null) continue;
            if (buffers is null) view.Dispose();
            else buffers.Return(view);
        }
        FrameIndices?.Dispose();
        Targets?.Dispose();
    }
}
