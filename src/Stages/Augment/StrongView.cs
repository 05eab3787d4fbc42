using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// The output of <see cref="CrossVideoViewAugmenter.ApplyStrongView"/> for one batch: U2
/// <c>[B, 3, T, S, S]</c> (float32, normalised, on the input's device) and Targets
/// <c>[B, classes]</c> (soft labels mixed like U2) when labels were given. Owns the tensors: dispose
/// it, or take a tensor out with its own handle. When U2 was written into a rented buffer, disposing
/// hands it back to its <see cref="ViewBufferPool"/>, so no view of it may be used afterwards.
/// </summary>
public sealed class StrongView(Tensor u2, Tensor? targets, ViewPlan plan, ViewBufferPool? buffers = null) : IDisposable
{
    private bool disposed;

    /// <summary>Base plus strong augmentation (RandAugment, erasing, mixup/cutmix): <c>[B, 3, T, S, S]</c>.</summary>
    public Tensor U2 { get; } = u2;
    /// <summary>Soft label targets <c>[B, classes]</c>, or null when no labels were given.</summary>
    public Tensor? Targets { get; } = targets;
    /// <summary>The random parameters that were drawn (the same plan as <see cref="CrossVideoViewAugmenter.Apply(Tensor, Tensor, Tensor?, AugmentRandom, IReadOnlyList{AugmentRandom}?, ViewBufferPool?)"/>
    /// draws; only its u² part was applied).</summary>
    public ViewPlan Plan { get; } = plan;
    /// <summary>The pool U2 goes back to, if it was rented.</summary>
    public ViewBufferPool? Buffers => buffers;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (buffers is null) U2.Dispose();
        else buffers.Return(U2);
        Targets?.Dispose();
    }
}
