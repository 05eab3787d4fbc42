using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

public sealed partial class CrossVideoViewAugmenter
{
    /// <summary>
    /// The u² view and the soft targets alone, for a classifier (fine-tuning): base crop and flip,
    /// RandAugment, normalisation, random erasing, then mixup/cutmix over the batch; no u¹ and no
    /// sampled frames are computed. Draws the same <see cref="ViewPlan"/> as
    /// <see cref="Apply(Tensor, Tensor, Tensor?, AugmentRandom, IReadOnlyList{AugmentRandom}?, ViewBufferPool?)"/>
    /// (u¹'s box and flip, u²'s, the RandAugment steps, the erasing box, each of the
    /// <paramref name="frameCount"/> frames' box and flip, the mixing), so every random source is
    /// consumed exactly as <c>Apply</c> consumes it and U2 and Targets are bit for bit <c>Apply</c>'s
    /// for the same clips, labels and sources. The frames' boxes are drawn at the clips' size (after
    /// the short-side resize), which is the frames' size wherever the frames are stored with their
    /// clip (every shard row). Clips <c>[B, T, H, W, 3]</c> (uint8 or float on the 0–255 scale),
    /// labels <c>[B]</c> integer or null; with <paramref name="sampleRngs"/> sample i draws from its
    /// own source and <paramref name="mixRng"/> draws the mixing, without them everything comes from
    /// <paramref name="mixRng"/>. With <paramref name="buffers"/> U2 is written into a rented tensor,
    /// handed back when the result is disposed.
    /// </summary>
    public StrongView ApplyStrongView(Tensor clips, Tensor? labels, AugmentRandom mixRng, IReadOnlyList<AugmentRandom>? sampleRngs, int frameCount,
        ViewBufferPool? buffers = null)
    {
        (int batch, int _, int _, int _) = ClipTensor.Check(clips, nameof(clips));
        if (frameCount < 0) throw new ArgumentOutOfRangeException(nameof(frameCount), frameCount, "the sampled-frame count must not be negative");
        CheckLabels(labels, batch);
        if (sampleRngs is not null && sampleRngs.Count != batch)
            throw new ArgumentException($"{sampleRngs.Count} per-sample random sources for a batch of {batch}", nameof(sampleRngs));

        using var scope = torch.NewDisposeScope();
        Tensor c = resize.Apply(clips); // [B, T, H', W', 3]
        int h = (int)c.size(2), w = (int)c.size(3);
        ViewPlan plan = sampleRngs is null
            ? Plan(mixRng, batch, frameCount, h, w, h, w)
            : PlanPerSample(sampleRngs, mixRng, frameCount, h, w, h, w);

        long t = c.size(1), s = Config.CropSize;
        long[] shape = [batch, 3, t, s, s];
        Tensor u2 = buffers is null ? torch.empty(shape, ScalarType.Float32, c.device) : buffers.Rent(shape, ScalarType.Float32, c.device); // [B, 3, T, S, S]
        try
        {
            for (int i = 0; i < batch; i++) BuildSample(c.select(0, i), plan, i, u1Row: null, u2.select(0, i), sampleRngs?[i] ?? mixRng);
            MixupCutmix.ApplyInPlace(u2, plan.Mix);
            Tensor? targets = labels is null ? null : mixer.Targets(labels, Config.NumClasses, plan.Mix); // [B, K]
            return new StrongView(u2.MoveToOuterDisposeScope(), targets?.MoveToOuterDisposeScope(), plan, buffers);
        }
        catch
        {
            buffers?.Return(u2);
            throw;
        }
    }
}
