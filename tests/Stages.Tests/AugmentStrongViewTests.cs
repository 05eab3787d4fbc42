using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Stages.Tests.AugmentTestData;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>
/// <see cref="CrossVideoViewAugmenter.ApplyStrongView"/> against the full composer: the same plan,
/// the same random sources left in the same state, and U2 and Targets bit for bit those of
/// <see cref="CrossVideoViewAugmenter.Apply(Tensor, Tensor, Tensor?, AugmentRandom, IReadOnlyList{AugmentRandom}?, ViewBufferPool?)"/>.
/// </summary>
public class AugmentStrongViewTests
{
    // Every strong augmentation on, erasing likely and the batch always cut-mixed, so the
    // comparison covers RandAugment, erasing noise and the cutmix box.
    private static readonly AugmentConfig Strong = SmallConfig() with
    {
        NumClasses = 5, ErasingProbability = 0.75, Mixup = false, CutMix = true, MixProbability = 1.0,
    };

    private static int[] Bits(Tensor x) => x.contiguous().ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();

    [Theory]
    [InlineData(true, false)]  // per-sample sources (the train feed), own u² crop
    [InlineData(false, false)] // one source for the whole batch
    [InlineData(true, true)]   // shared base crop: Apply copies u¹'s row, the strong view writes the crop itself
    public void Strong_view_is_apply_u2_and_targets_bit_for_bit_and_draws_the_same(bool perSample, bool sharedCrop)
    {
        using var scope = torch.NewDisposeScope();
        AugmentConfig config = Strong with { SharedBaseCrop = sharedCrop };
        var augmenter = new CrossVideoViewAugmenter(config);
        const int batch = 6, frameCount = 2;
        Tensor clips = RandomBytes(11, batch, 4, 36, 44, 3);           // [B, T, H, W, 3], resized to short side 32
        Tensor frames = RandomBytes(12, batch, frameCount, 36, 44, 3); // [B, n, H, W, 3], the clips' size
        Tensor labels = torch.tensor(new long[] { 4, 0, 2, 1, 3, 2 }, batch);
        AugmentRandom[]? Samples() => perSample ? Enumerable.Range(0, batch).Select(i => AugmentRandom.ForSample(9, 3, 40 + i)).ToArray() : null;
        AugmentRandom mixA = AugmentRandom.ForBatch(9, 3, 1), mixB = AugmentRandom.ForBatch(9, 3, 1);
        AugmentRandom[]? samplesA = Samples(), samplesB = Samples();

        using AugmentedViews full = augmenter.Apply(clips, frames, labels, mixA, samplesA);
        using StrongView strong = augmenter.ApplyStrongView(clips, labels, mixB, samplesB, frameCount);

        // The comparison is only worth something if the strong augmentations happened.
        Assert.True(full.Plan.Mix.UseCutmix && full.Plan.Mix.Active, "the batch should be cut-mixed");
        Assert.Contains(full.Plan.Erasing!, box => box is not null);
        Assert.Contains(full.Plan.RandAugment!, steps => steps.Any(s => s.Op != RandAugmentOp.Identity));

        Assert.Equal(new long[] { batch, 3, 4, 16, 16 }, strong.U2.shape);
        Assert.Equal(Bits(full.U2), Bits(strong.U2));
        Assert.Equal(Bits(full.Targets!), Bits(strong.Targets!));

        // The same plan, frames' boxes and flips included ...
        Assert.Equal(full.Plan.Crop1, strong.Plan.Crop1);
        Assert.Equal(full.Plan.Flip1, strong.Plan.Flip1);
        Assert.Equal(full.Plan.Crop2, strong.Plan.Crop2);
        Assert.Equal(full.Plan.Flip2, strong.Plan.Flip2);
        Assert.Equal(full.Plan.RandAugment!.Select(s => s.ToArray()), strong.Plan.RandAugment!.Select(s => s.ToArray()));
        Assert.Equal(full.Plan.Erasing, strong.Plan.Erasing);
        Assert.Equal(full.Plan.Mix, strong.Plan.Mix);
        Assert.Equal(full.Plan.FrameCrops.Select(f => f.ToArray()), strong.Plan.FrameCrops.Select(f => f.ToArray()));
        Assert.Equal(full.Plan.FrameFlips.Select(f => f.ToArray()), strong.Plan.FrameFlips.Select(f => f.ToArray()));
        // ... and every source left where Apply leaves it (parameter and noise streams).
        foreach ((AugmentRandom a, AugmentRandom b) in (samplesA ?? []).Zip(samplesB ?? []).Append((mixA, mixB)))
        {
            Assert.Equal(a.Uniform(0, 1), b.Uniform(0, 1));
            Assert.Equal(a.NextNoiseSeed(), b.NextNoiseSeed());
        }
    }

    [Fact]
    public void A_strong_view_from_rented_buffers_equals_a_fresh_one_and_goes_back_on_dispose()
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new CrossVideoViewAugmenter(Strong);
        Tensor clips = RandomBytes(21, 4, 4, 32, 40, 3);
        Tensor labels = torch.tensor(new long[] { 1, 2, 3, 4 }, 4);
        AugmentRandom[] Samples() => Enumerable.Range(0, 4).Select(i => AugmentRandom.ForSample(2, 0, i)).ToArray();
        using var buffers = new ViewBufferPool(1);
        // Poison the buffer the pool will hand out: every element must be written again.
        Tensor poisoned = buffers.Rent([4, 3, 4, 16, 16], ScalarType.Float32, Device.CPU);
        poisoned.fill_(float.NaN);
        buffers.Return(poisoned);

        using StrongView fresh = augmenter.ApplyStrongView(clips, labels, AugmentRandom.ForBatch(2, 0, 0), Samples(), frameCount: 1);
        int[] rentedBits;
        using (StrongView rented = augmenter.ApplyStrongView(clips, labels, AugmentRandom.ForBatch(2, 0, 0), Samples(), frameCount: 1, buffers))
        {
            Assert.Equal(0, buffers.Count);
            rentedBits = Bits(rented.U2);
        }
        Assert.Equal(1, buffers.Count);
        Assert.Equal(Bits(fresh.U2), rentedBits);
    }

    [Fact]
    public void Bad_strong_view_inputs_are_rejected_with_the_reason()
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new CrossVideoViewAugmenter(Strong);
        Tensor clips = RandomBytes(1, 2, 4, 32, 40, 3);
        var rng = AugmentRandom.ForBatch(1, 0, 0);
        Assert.Contains("labels", Assert.Throws<ArgumentException>(() => augmenter.ApplyStrongView(clips, torch.tensor(new long[] { 1 }, 1), rng, null, 1)).Message);
        Assert.Contains("3 per-sample", Assert.Throws<ArgumentException>(() =>
            augmenter.ApplyStrongView(clips, null, rng, [rng, rng, rng], 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => augmenter.ApplyStrongView(clips, null, rng, null, -1));
    }
}
