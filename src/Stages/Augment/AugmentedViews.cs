using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// The output of <see cref="CrossVideoViewAugmenter"/> for one batch, all float32, normalised, on
/// the input's device: U1 and U2 <c>[B, 3, T, S, S]</c> (the video encoder's layout), Frames
/// <c>[B, n, 3, S, S]</c>, and Targets <c>[B, classes]</c> (soft labels mixed like U2) when labels
/// were given. Owns the tensors: dispose it, or take a tensor out with its own handle (alias()).
/// When the views were written into rented buffers, disposing hands U1, U2 and Frames back to
/// their <see cref="ViewBufferPool"/>, so no view of them may be used afterwards.
/// </summary>
public sealed class AugmentedViews : IDisposable
{
    private readonly ViewBufferPool? buffers;
    private bool disposed;

    public AugmentedViews(Tensor u1, Tensor u2, Tensor frames, Tensor? targets, ViewPlan plan, ViewBufferPool? buffers = null)
    {
        this.buffers = buffers;
        U1 = u1;
        U2 = u2;
        Frames = frames;
        Targets = targets;
        Plan = plan;
    }

    /// <summary>Base augmentation: <c>[B, 3, T, S, S]</c>.</summary>
    public Tensor U1 { get; }
    /// <summary>Base plus strong augmentation (RandAugment, erasing, mixup/cutmix): <c>[B, 3, T, S, S]</c>.</summary>
    public Tensor U2 { get; }
    /// <summary>Sampled frames with RandomResizedCrop (bicubic) and flip: <c>[B, n, 3, S, S]</c>.</summary>
    public Tensor Frames { get; }
    /// <summary>Soft label targets <c>[B, classes]</c>, or null when no labels were given.</summary>
    public Tensor? Targets { get; }
    /// <summary>The random parameters that produced these views.</summary>
    public ViewPlan Plan { get; }

    /// <summary>The pool the view tensors go back to, if they were rented.</summary>
    public ViewBufferPool? Buffers => buffers;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (buffers is null)
        {
            U1.Dispose();
            U2.Dispose();
            Frames.Dispose();
        }
        else
        {
            buffers.Return(U1);
            buffers.Return(U2);
            buffers.Return(Frames);
        }
        Targets?.Dispose();
    }
}
