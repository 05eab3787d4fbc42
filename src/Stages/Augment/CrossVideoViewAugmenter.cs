using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// The train-feed augmentation of CrossVideoMAE (docs/method.md "Data per sample i") on batched
/// tensors, on whatever device the input lives:
/// <list type="bullet">
/// <item>u¹ = base augmentation: short side to 256 (skipped when the clips already have it),
/// RandomResizedCrop 224 (bilinear, one box for all frames of a clip), horizontal flip.</item>
/// <item>u² = its own base augmentation (or u¹'s with <see cref="AugmentConfig.SharedBaseCrop"/>)
/// followed by RandAugment (before normalisation), random erasing (after it) and mixup/cutmix
/// inside the batch; each switchable.</item>
/// <item>f = each sampled frame with its own RandomResizedCrop 224 (bicubic, antialiased) and flip.</item>
/// </list>
/// Input: clips <c>[B, T, H, W, 3]</c> and frames <c>[B, n, H, W, 3]</c>, uint8 or float on the
/// 0–255 scale; optional integer labels <c>[B]</c> for soft targets. All random parameters are
/// drawn first from the <see cref="AugmentRandom"/> (see <see cref="Plan"/>).
/// </summary>
public sealed partial class CrossVideoViewAugmenter
{
    private readonly ShortSideResize resize;
    private readonly RandomResizedCrop videoCrop;
    private readonly RandomResizedCrop frameCrop;
    private readonly RandomHorizontalFlip flip;
    private readonly RandAugment? randAugment;
    private readonly RandomErasing? erasing;
    private readonly MixupCutmix mixer;
    private readonly Normalize normalize;

    public CrossVideoViewAugmenter(AugmentConfig config)
    {
        config.Validate();
        Config = config;
        resize = new ShortSideResize(config.ShortSide);
        videoCrop = new RandomResizedCrop(config.CropSize, config.MinScale, config.MaxScale, config.MinRatio, config.MaxRatio,
            InterpolationMode.Bilinear, config.VideoAntialias);
        frameCrop = new RandomResizedCrop(config.CropSize, config.MinScale, config.MaxScale, config.MinRatio, config.MaxRatio,
            InterpolationMode.Bicubic, config.FrameAntialias);
        flip = new RandomHorizontalFlip(config.EffectiveFlipProbability);
        randAugment = config.RandAugment ? new RandAugment(config.RandAugmentMagnitude, config.RandAugmentOps) : null;
        erasing = config.RandomErasing ? new RandomErasing(config.ErasingProbability, fill: config.ErasingFill) : null;
        mixer = new MixupCutmix(config.Mixup ? config.MixupAlpha : 0, config.CutMix ? config.CutMixAlpha : 0,
            config.MixSwitchProbability, config.MixProbability, config.LabelSmoothing);
        normalize = new Normalize(config.Mean, config.Std);
    }

    public AugmentConfig Config { get; }

    /// <summary>
    /// Draws every random parameter of a batch, in this order: u¹ boxes, u¹ flips, u² boxes and
    /// flips (unless shared), RandAugment steps, erasing boxes, the mixing, then each frame's box
    /// and flip. Sizes are those after the short-side resize.
    /// </summary>
    public ViewPlan Plan(AugmentRandom rng, int batch, int frameCount, int clipHeight, int clipWidth, int frameHeight, int frameWidth) =>
        Plan(rng, batch, frameCount, clipHeight, clipWidth, frameHeight, frameWidth, drawMix: true);

    private ViewPlan Plan(AugmentRandom rng, int batch, int frameCount, int clipHeight, int clipWidth, int frameHeight, int frameWidth, bool drawMix)
    {
        int s = Config.CropSize;
        CropBox[] crop1 = videoCrop.Sample(rng, batch, clipHeight, clipWidth);
        bool[] flip1 = flip.Sample(rng, batch);
        CropBox[] crop2 = crop1;
        bool[] flip2 = flip1;
        if (!Config.SharedBaseCrop)
        {
            crop2 = videoCrop.Sample(rng, batch, clipHeight, clipWidth);
            flip2 = flip.Sample(rng, batch);
        }
        RandAugmentStep[][]? steps = randAugment?.Sample(rng, batch, s, s);
        CropBox?[]? erased = erasing?.Sample(rng, batch, s, s);
        MixParams mix = drawMix ? mixer.Sample(rng, s, s) : MixParams.None;
        var frameCrops = new CropBox[batch][];
        var frameFlips = new bool[batch][];
        for (int b = 0; b < batch; b++)
        {
            frameCrops[b] = new CropBox[frameCount];
            frameFlips[b] = new bool[frameCount];
            for (int k = 0; k < frameCount; k++)
            {
                frameCrops[b][k] = frameCrop.SampleBox(rng, frameHeight, frameWidth);
                frameFlips[b][k] = rng.Bernoulli(flip.P);
            }
        }
        return new ViewPlan(crop1, flip1, crop2, flip2, steps, erased, mix, frameCrops, frameFlips);
    }

    /// <summary>
    /// Per-sample draws: sample i's boxes, flips, RandAugment steps, erasing box and erasing noise come
    /// from <paramref name="sampleRngs"/>[i] alone (in <see cref="Plan"/>'s order for a batch of one),
    /// so a sample is augmented the same whichever batch or rank it lands in; the mixing, which
    /// pairs samples of the batch, is drawn from <paramref name="mixRng"/>.
    /// </summary>
    public ViewPlan PlanPerSample(IReadOnlyList<AugmentRandom> sampleRngs, AugmentRandom mixRng, int frameCount, int clipHeight, int clipWidth, int frameHeight, int frameWidth)
    {
        int batch = sampleRngs.Count;
        var plans = new ViewPlan[batch];
        for (int i = 0; i < batch; i++)
            plans[i] = Plan(sampleRngs[i], 1, frameCount, clipHeight, clipWidth, frameHeight, frameWidth, drawMix: false);
        MixParams mix = mixer.Sample(mixRng, Config.CropSize, Config.CropSize);
        return new ViewPlan(
            plans.Select(p => p.Crop1[0]).ToArray(), plans.Select(p => p.Flip1[0]).ToArray(),
            plans.Select(p => p.Crop2[0]).ToArray(), plans.Select(p => p.Flip2[0]).ToArray(),
            randAugment is null ? null : plans.Select(p => p.RandAugment![0]).ToArray(),
            erasing is null ? null : plans.Select(p => p.Erasing![0]).ToArray(),
            mix, plans.Select(p => p.FrameCrops[0]).ToArray(), plans.Select(p => p.FrameFlips[0]).ToArray());
    }

    /// <summary>Augments one batch. See the class summary for layouts. With <paramref name="buffers"/>
    /// the three views are written into tensors rented from it, and disposing the result hands
    /// them back (see <see cref="ViewBufferPool"/>).</summary>
    public AugmentedViews Apply(Tensor clips, Tensor frames, Tensor? labels, AugmentRandom rng, ViewBufferPool? buffers = null) =>
        Apply(clips, frames, labels, rng, sampleRngs: null, buffers);

    /// <summary>As <see cref="Apply(Tensor, Tensor, Tensor?, AugmentRandom, ViewBufferPool?)"/> with each
    /// sample's draws from its own source (<see cref="PlanPerSample"/>); <paramref name="mixRng"/> draws the mixing.</summary>
    public AugmentedViews Apply(Tensor clips, Tensor frames, Tensor? labels, AugmentRandom mixRng, IReadOnlyList<AugmentRandom>? sampleRngs, ViewBufferPool? buffers = null)
    {
        AugmentRandom rng = mixRng;
        (int batch, int _, int _, int _) = ClipTensor.Check(clips, nameof(clips));
        (int frameBatch, int frameCount, int _, int _) = ClipTensor.Check(frames, nameof(frames));
        if (frameBatch != batch)
            throw new ArgumentException($"frames hold {frameBatch} samples, clips {batch}", nameof(frames));
        CheckLabels(labels, batch);

        using var scope = torch.NewDisposeScope();
        Tensor c = resize.Apply(clips);  // [B, T, H', W', 3]
        Tensor f = resize.Apply(frames); // [B, n, H', W', 3]
        if (sampleRngs is not null && sampleRngs.Count != batch)
            throw new ArgumentException($"{sampleRngs.Count} per-sample random sources for a batch of {batch}", nameof(sampleRngs));
        ViewPlan plan = sampleRngs is null
            ? Plan(rng, batch, frameCount, (int)c.size(2), (int)c.size(3), (int)f.size(2), (int)f.size(3))
            : PlanPerSample(sampleRngs, rng, frameCount, (int)c.size(2), (int)c.size(3), (int)f.size(2), (int)f.size(3));

        long t = c.size(1), s = Config.CropSize;
        var rented = new List<Tensor>(3);
        Tensor Output(long[] shape)
        {
            if (buffers is null) return torch.empty(shape, ScalarType.Float32, c.device);
            Tensor x = buffers.Rent(shape, ScalarType.Float32, c.device);
            rented.Add(x);
            return x;
        }
        try
        {
            Tensor u1 = Output([batch, 3, t, s, s]); // [B, 3, T, S, S]
            Tensor u2 = Output([batch, 3, t, s, s]);
            Tensor fr = Output([batch, frameCount, 3, s, s]); // [B, n, 3, S, S]
            for (int i = 0; i < batch; i++) BuildSample(c.select(0, i), plan, i, u1.select(0, i), u2.select(0, i), sampleRngs?[i] ?? rng);
            MixupCutmix.ApplyInPlace(u2, plan.Mix);
            Tensor? targets = labels is null ? null : mixer.Targets(labels, Config.NumClasses, plan.Mix); // [B, K]
            BuildFrames(f, plan.FrameCrops, plan.FrameFlips, fr);
            return new AugmentedViews(u1.MoveToOuterDisposeScope(), u2.MoveToOuterDisposeScope(), fr.MoveToOuterDisposeScope(),
                targets?.MoveToOuterDisposeScope(), plan, buffers);
        }
        catch
        {
            foreach (Tensor x in rented) buffers!.Return(x);
            throw;
        }
    }

    private void CheckLabels(Tensor? labels, int batch)
    {
        if (labels is null) return;
        if (labels.dim() != 1 || labels.size(0) != batch)
            throw new ArgumentException($"labels must be [{batch}], got [{string.Join(", ", labels.shape)}]", nameof(labels));
        if (Config.NumClasses < 1) throw new InvalidOperationException("labels were given but AugmentConfig.NumClasses is not set");
    }

    // One clip [T, H, W, 3] -> its u1 and u2 rows [3, T, S, S], normalised (u2 alone when u1Row is
    // null). The chain runs per clip so every temporary is clip-sized, and each view is written into
    // the batch once.
    private void BuildSample(Tensor clip, ViewPlan plan, int i, Tensor? u1Row, Tensor u2Row, AugmentRandom rng)
    {
        using var scope = torch.NewDisposeScope();
        if (u1Row is not null) videoCrop.ApplyInto(clip, plan.Crop1[i], u1Row, plan.Flip1[i], normalize);

        RandAugmentStep[] steps = (plan.RandAugment?[i] ?? []).Where(st => st.Op != RandAugmentOp.Identity).ToArray();
        if (steps.Length == 0)
        {
            // Shared base crop: u2 is u1's crop (copied when u1 was written, else the same crop written again).
            if (Config.SharedBaseCrop && u1Row is not null) u2Row.copy_(u1Row);
            else if (Config.SharedBaseCrop) videoCrop.ApplyInto(clip, plan.Crop1[i], u2Row, plan.Flip1[i], normalize);
            else videoCrop.ApplyInto(clip, plan.Crop2[i], u2Row, plan.Flip2[i], normalize);
        }
        else
        {
            // RandAugment works on the 0-255 scale: crop without normalising, then normalise into the row.
            // On the CPU the crop is rounded to uint8 levels and the steps run on bytes (as torchvision's
            // RandAugment runs on uint8 images); elsewhere they run on the float crop.
            CropBox box = Config.SharedBaseCrop ? plan.Crop1[i] : plan.Crop2[i];
            bool flipped = Config.SharedBaseCrop ? plan.Flip1[i] : plan.Flip2[i];
            if (clip.device.Type == DeviceType.CPU)
            {
                // Pointwise steps stay pending as level tables and fold into the normalising write.
                Tensor levels = torch.empty([1, 3, clip.size(0), Config.CropSize, Config.CropSize], ScalarType.Byte); // [1, 3, T, S, S]
                videoCrop.ApplyInto(clip, box, levels.select(0, 0), flipped, normalize: null);
                (Tensor pixels, Tensor? table) = RandAugment.ApplyStepsDeferred(levels, steps);
                normalize.WriteInto(pixels.select(0, 0), u2Row, channelDim: 0, table);
            }
            else
            {
                Tensor x = videoCrop.ApplyPlanar(clip, box, flipped).unsqueeze(0); // [1, 3, T, S, S] float
                foreach (RandAugmentStep step in steps) x = RandAugment.ApplyStep(x, step);
                normalize.WriteInto(x.select(0, 0), u2Row, channelDim: 0);
            }
        }
        if (erasing is not null && plan.Erasing is not null) erasing.ApplyInPlace(u2Row.unsqueeze(0), [plan.Erasing[i]], rng);
    }

    // frames [B, n, H, W, 3] -> result [B, n, 3, S, S] normalised: every frame its own crop and flip.
    private void BuildFrames(Tensor frames, CropBox[][] boxes, bool[][] flips, Tensor result)
    {
        long b = frames.size(0), n = frames.size(1);
        for (int i = 0; i < b; i++)
            for (int k = 0; k < n; k++)
            {
                using var inner = torch.NewDisposeScope();
                Tensor destination = result.select(0, i).narrow(0, k, 1).permute(1, 0, 2, 3); // [3, 1, S, S] view
                frameCrop.ApplyInto(frames.select(0, i).narrow(0, k, 1), boxes[i][k], destination, flips[i][k], normalize);
            }
    }
}
