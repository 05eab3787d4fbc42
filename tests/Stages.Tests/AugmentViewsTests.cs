using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Stages.Tests.AugmentTestData;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>The view composer end to end: layouts, determinism, per-clip consistency, and the
/// base views recomputed by PyTorch from the drawn plan.</summary>
public class AugmentViewsTests
{
    private static readonly AugmentConfig BaseOnly = SmallConfig() with
    {
        RandAugment = false, RandomErasing = false, Mixup = false, CutMix = false,
    };

    [Fact]
    public void Views_have_the_encoder_layouts_and_repeat_for_a_seed()
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new CrossVideoViewAugmenter(SmallConfig() with { NumClasses = 7 });
        Tensor clips = RandomBytes(1, 4, 4, 32, 40, 3);  // [B, T, H, W, 3]
        Tensor frames = RandomBytes(2, 4, 2, 32, 40, 3); // [B, n, H, W, 3]
        Tensor labels = torch.tensor(new long[] { 1, 6, 0, 3 }, 4);
        var rng = AugmentRandom.ForBatch(seed: 7, epoch: 2, batch: 5);
        using AugmentedViews a = augmenter.Apply(clips, frames, labels, rng);
        Assert.Equal(new long[] { 4, 3, 4, 16, 16 }, a.U1.shape);
        Assert.Equal(new long[] { 4, 3, 4, 16, 16 }, a.U2.shape);
        Assert.Equal(new long[] { 4, 2, 3, 16, 16 }, a.Frames.shape);
        Assert.Equal(new long[] { 4, 7 }, a.Targets!.shape);
        Assert.Equal(ScalarType.Float32, a.U2.dtype);
        float[] rowSums = a.Targets.sum(1).ToArray<float>();
        Assert.All(rowSums, s => Assert.Equal(1.0, s, 5));
        Assert.False(a.U2.isnan().any().item() != 0);

        var rng2 = AugmentRandom.ForBatch(seed: 7, epoch: 2, batch: 5);
        using AugmentedViews b = augmenter.Apply(clips, frames, labels, rng2);
        Assert.Equal(0.0, MaxAbsDiff(a.U1, b.U1));
        Assert.Equal(0.0, MaxAbsDiff(a.U2, b.U2));
        Assert.Equal(0.0, MaxAbsDiff(a.Frames, b.Frames));
        Assert.Equal(0.0, MaxAbsDiff(a.Targets, b.Targets!));

        var rng3 = AugmentRandom.ForBatch(seed: 7, epoch: 2, batch: 6);
        using AugmentedViews c = augmenter.Apply(clips, frames, labels, rng3);
        Assert.True(MaxAbsDiff(a.U1, c.U1) > 0);
    }

    [Fact]
    public void Rented_output_buffers_are_overwritten_completely_and_give_the_same_views()
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new CrossVideoViewAugmenter(SmallConfig() with { NumClasses = 7, ErasingProbability = 0.5 });
        Tensor clips = RandomBytes(4, 4, 4, 32, 40, 3);
        Tensor frames = RandomBytes(5, 4, 2, 32, 40, 3);
        Tensor labels = torch.tensor(new long[] { 2, 5, 0, 3 }, 4);
        using var buffers = new ViewBufferPool(3);
        for (long batch = 0; batch < 4; batch++)
        {
            // Poison the buffers the pool will hand out: every element must be written again.
            Tensor[] held =
            [
                buffers.Rent([4, 3, 4, 16, 16], ScalarType.Float32, Device.CPU), buffers.Rent([4, 3, 4, 16, 16], ScalarType.Float32, Device.CPU),
                buffers.Rent([4, 2, 3, 16, 16], ScalarType.Float32, Device.CPU),
            ];
            foreach (Tensor t in held)
            {
                t.fill_(double.NaN);
                buffers.Return(t);
            }
            var rngA = AugmentRandom.ForBatch(seed: 3, epoch: 0, batch: batch);
            var rngB = AugmentRandom.ForBatch(seed: 3, epoch: 0, batch: batch);
            using AugmentedViews fresh = augmenter.Apply(clips, frames, labels, rngA);
            AugmentedViews reused = augmenter.Apply(clips, frames, labels, rngB, buffers);
            Assert.Same(buffers, reused.Buffers);
            Assert.Equal(0.0, MaxAbsDiff(fresh.U1, reused.U1));
            Assert.Equal(0.0, MaxAbsDiff(fresh.U2, reused.U2));
            Assert.Equal(0.0, MaxAbsDiff(fresh.Frames, reused.Frames));
            reused.Dispose();
            Assert.Equal(3, buffers.Count); // handed back for the next batch
        }
    }

    [Fact]
    public void Buffer_pool_gives_back_a_tensor_of_the_same_shape_and_keeps_at_most_its_capacity()
    {
        using var scope = torch.NewDisposeScope();
        using var pool = new ViewBufferPool(2);
        Tensor a = pool.Rent([2, 3], ScalarType.Float32, Device.CPU);
        a.fill_(7);
        pool.Return(a);
        Assert.Equal(1, pool.Count);
        Tensor other = pool.Rent([3, 2], ScalarType.Float32, Device.CPU); // another shape: a new tensor
        Assert.Equal(1, pool.Count);
        Tensor again = pool.Rent([2, 3], ScalarType.Float32, Device.CPU);
        Assert.Same(a, again);
        Assert.All(again.ToArray<float>(), v => Assert.Equal(7f, v)); // the same storage, contents kept
        Tensor third = pool.Rent([2, 3], ScalarType.Float32, Device.CPU);
        pool.Return(again);
        pool.Return(other);
        pool.Return(third); // over capacity: freed
        Assert.Equal(2, pool.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ViewBufferPool(-1));
    }

    [Fact]
    public void Every_frame_of_a_clip_gets_the_same_augmentation()
    {
        using var scope = torch.NewDisposeScope();
        var config = SmallConfig() with { ErasingProbability = 1.0, ErasingFill = ErasingFill.Zero };
        var augmenter = new CrossVideoViewAugmenter(config);
        // Four clips, each a still: the same frame repeated T = 4 times.
        Tensor still = RandomBytes(3, 4, 1, 36, 44, 3).expand(4, 4, 36, 44, 3).contiguous();
        Tensor frames = still.narrow(1, 0, 1);
        for (ulong seed = 0; seed < 6; seed++)
        {
            var rng = new AugmentRandom(seed);
            using AugmentedViews v = augmenter.Apply(still, frames, null, rng);
            foreach (Tensor view in new[] { v.U1, v.U2 })
            {
                Tensor first = view.narrow(2, 0, 1); // [B, 3, 1, S, S]
                Assert.True(MaxAbsDiff(view, first.expand(view.shape)) < 1e-5, $"seed {seed}: frames differ");
            }
            Assert.All(v.Plan.Erasing!, b => Assert.NotNull(b));
        }
    }

    [Fact]
    public void Something_something_never_flips_and_kinetics_flips_about_half()
    {
        var ssv2 = new CrossVideoViewAugmenter(SmallConfig(DatasetKind.SomethingSomethingV2));
        var k400 = new CrossVideoViewAugmenter(SmallConfig(DatasetKind.Kinetics400));
        Assert.Equal(0.0, ssv2.Config.EffectiveFlipProbability);
        var rng = new AugmentRandom(12);
        ViewPlan s = ssv2.Plan(rng, 200, 2, 32, 40, 32, 40);
        Assert.DoesNotContain(true, s.Flip1.Concat(s.Flip2).Concat(s.FrameFlips.SelectMany(f => f)));
        ViewPlan k = k400.Plan(rng, 200, 2, 32, 40, 32, 40);
        Assert.InRange(k.Flip1.Concat(k.Flip2).Count(f => f), 160, 240);
        Assert.NotEqual(k.Crop1, k.Crop2); // each view draws its own base augmentation by default
    }

    [Fact]
    public void Shared_base_crop_makes_the_views_equal_without_strong_augmentation()
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new CrossVideoViewAugmenter(BaseOnly with { SharedBaseCrop = true });
        Tensor clips = RandomBytes(4, 3, 2, 32, 40, 3);
        var rng = new AugmentRandom(4);
        using AugmentedViews v = augmenter.Apply(clips, clips.narrow(1, 0, 1), null, rng);
        Assert.Equal(v.Plan.Crop1, v.Plan.Crop2);
        Assert.Equal(0.0, MaxAbsDiff(v.U1, v.U2));
    }

    [Fact]
    public void Base_views_and_frames_equal_pytorchs_resize_crop_flip_normalise_of_the_plan()
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new CrossVideoViewAugmenter(BaseOnly);
        Tensor clips = RandomBytes(31, 3, 4, 40, 48, 3);  // resized to 32x38 first
        Tensor frames = RandomBytes(32, 3, 2, 40, 48, 3);
        var rng = new AugmentRandom(99);
        using AugmentedViews v = augmenter.Apply(clips, frames, null, rng);
        ViewPlan p = v.Plan;
        Assert.Contains(true, p.Flip1.Concat(p.Flip2));

        static Tensor Boxes(IEnumerable<(CropBox box, bool flip)> rows)
        {
            var r = rows.SelectMany(x => new long[] { x.box.Top, x.box.Left, x.box.Height, x.box.Width, x.flip ? 1 : 0 }).ToArray();
            return torch.tensor(r, r.Length / 5, 5);
        }
        const string script = """
            import torch, torch.nn.functional as F, st
            d = st.load("in.safetensors")
            mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1, 1)
            std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1, 1)
            def resize(x):  # [B, N, 40, 48, 3] -> [B, N, 32, 38, 3], short side 32, antialiased
                b, n = x.shape[:2]
                y = F.interpolate(x.float().reshape(b * n, 40, 48, 3).permute(0, 3, 1, 2), size=(32, 38),
                                  mode="bilinear", align_corners=False, antialias=True)
                return y.permute(0, 2, 3, 1).reshape(b, n, 32, 38, 3)
            def crop(images, row, mode, aa):  # images [N, H, W, 3] -> [3, N, 16, 16]
                t, l, h, w, flip = row.tolist()
                c = images[:, t:t + h, l:l + w, :].permute(0, 3, 1, 2)
                r = F.interpolate(c, size=(16, 16), mode=mode, align_corners=False, antialias=aa)
                if mode == "bicubic":
                    r = r.clamp(0, 255)
                if flip:
                    r = r.flip(-1)
                return (r.permute(1, 0, 2, 3) / 255 - mean) / std
            clips, frames = resize(d["clips"]), resize(d["frames"])
            u1 = torch.stack([crop(clips[b], d["box1"][b], "bilinear", False) for b in range(3)])
            u2 = torch.stack([crop(clips[b], d["box2"][b], "bilinear", False) for b in range(3)])
            f = torch.stack([torch.stack([crop(frames[b, k:k + 1], d["fbox"][b * 2 + k], "bicubic", True)[:, 0] for k in range(2)])
                             for b in range(3)])
            st.save({"u1": u1, "u2": u2, "f": f}, "out.safetensors")
            """;
        var expected = RunReference(script,
        [
            new("clips", clips), new("frames", frames),
            new("box1", Boxes(p.Crop1.Zip(p.Flip1))), new("box2", Boxes(p.Crop2.Zip(p.Flip2))),
            new("fbox", Boxes(p.FrameCrops.SelectMany(r => r).Zip(p.FrameFlips.SelectMany(r => r)))),
        ]);
        Assert.True(MaxAbsDiff(v.U1, expected["u1"]) < 1e-4);
        Assert.True(MaxAbsDiff(v.U2, expected["u2"]) < 1e-4);
        Assert.True(MaxAbsDiff(v.Frames, expected["f"]) < 1e-4);
    }

    [Fact]
    public void Strong_augmentation_changes_only_the_second_view()
    {
        using var scope = torch.NewDisposeScope();
        Tensor clips = RandomBytes(41, 4, 2, 32, 40, 3);
        Tensor frames = clips.narrow(1, 0, 1);
        var shared = BaseOnly with { SharedBaseCrop = true };
        var r1 = new AugmentRandom(5);
        using AugmentedViews plain = new CrossVideoViewAugmenter(shared).Apply(clips, frames, null, r1);
        var r2 = new AugmentRandom(5);
        using AugmentedViews strong = new CrossVideoViewAugmenter(shared with { RandAugment = true, Mixup = true, CutMix = true })
            .Apply(clips, frames, null, r2);
        Assert.Equal(plain.Plan.Crop1, strong.Plan.Crop1);
        Assert.Equal(0.0, MaxAbsDiff(plain.U1, strong.U1));
        Assert.True(MaxAbsDiff(plain.U2, strong.U2) > 0.1);
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_the_reason()
    {
        using var scope = torch.NewDisposeScope();
        var augmenter = new CrossVideoViewAugmenter(SmallConfig());
        var rng = new AugmentRandom(0);
        Tensor good = RandomBytes(1, 2, 2, 32, 32, 3);
        var chw = Assert.Throws<ArgumentException>(() => augmenter.Apply(RandomBytes(1, 2, 2, 3, 32, 32), good, null, rng));
        Assert.Contains("clips must be [B, N, H, W, 3]", chw.Message);
        var count = Assert.Throws<ArgumentException>(() => augmenter.Apply(good, RandomBytes(1, 3, 1, 32, 32, 3), null, rng));
        Assert.Contains("frames hold 3 samples, clips 2", count.Message);
        var noClasses = Assert.Throws<InvalidOperationException>(() => augmenter.Apply(good, good, torch.tensor(new long[] { 0, 1 }, 2), rng));
        Assert.Contains("NumClasses", noClasses.Message);
        var bad = Assert.Throws<ArgumentException>(() => new CrossVideoViewAugmenter(SmallConfig() with { MinScale = 0 }));
        Assert.Contains("MinScale", bad.Message);
    }

    [Fact]
    public void Per_sample_draws_give_a_sample_the_same_views_in_any_batch()
    {
        // With every augmentation on but the mixing (which pairs samples of a batch), a sample augmented
        // from its own source comes out the same alone, first in a batch or second in another.
        using var scope = torch.NewDisposeScope();
        var augmenter = new CrossVideoViewAugmenter(SmallConfig() with { Mixup = false, CutMix = false });
        Tensor clips = RandomBytes(3, 3, 4, 32, 40, 3);  // [3, T, H, W, 3]
        Tensor frames = RandomBytes(4, 3, 2, 32, 40, 3); // [3, n, H, W, 3]
        AugmentRandom Sample(int i) => AugmentRandom.ForSample(seed: 5, epoch: 1, position: 100 + i);
        using AugmentedViews both = augmenter.Apply(clips.narrow(0, 1, 2), frames.narrow(0, 1, 2), null, AugmentRandom.ForBatch(5, 1, 0), [Sample(1), Sample(2)]);
        using AugmentedViews other = augmenter.Apply(torch.stack([clips.select(0, 0), clips.select(0, 2)], 0), torch.stack([frames.select(0, 0), frames.select(0, 2)], 0),
            null, AugmentRandom.ForBatch(5, 1, 7), [Sample(0), Sample(2)]);
        Assert.Equal(both.U1.select(0, 1).ToArray<float>(), other.U1.select(0, 1).ToArray<float>());
        Assert.Equal(both.U2.select(0, 1).ToArray<float>(), other.U2.select(0, 1).ToArray<float>());
        Assert.Equal(both.Frames.select(0, 1).ToArray<float>(), other.Frames.select(0, 1).ToArray<float>());
        Assert.NotEqual(both.U1.select(0, 0).ToArray<float>(), other.U1.select(0, 0).ToArray<float>());
    }
}
