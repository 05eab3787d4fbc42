using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Stages.Tests.AugmentTestData;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>Random erasing, mixup, cutmix and the random source behind them.</summary>
public class AugmentMixTests
{
    [Fact]
    public void Gamma_and_beta_draws_have_the_right_moments()
    {
        var rng = new AugmentRandom(5);
        const int n = 20000;
        double[] g = Enumerable.Range(0, n).Select(_ => rng.Gamma(0.8)).ToArray();
        Assert.InRange(g.Average(), 0.77, 0.83);                        // mean = shape
        double[] b = Enumerable.Range(0, n).Select(_ => rng.Beta(0.8, 0.8)).ToArray();
        double mean = b.Average(), var = b.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, 0.49, 0.51);                              // a / (a + b)
        Assert.InRange(var, 0.0962 - 0.004, 0.0962 + 0.004);           // ab / ((a+b)^2 (a+b+1)) = 0.64 / 6.656
        Assert.All(b, v => Assert.InRange(v, 0.0, 1.0));
        double[] b2 = Enumerable.Range(0, n).Select(_ => rng.Beta(2, 5)).ToArray();
        Assert.InRange(b2.Average(), 2.0 / 7 - 0.006, 2.0 / 7 + 0.006);
    }

    [Fact]
    public void Erasing_boxes_stay_inside_and_cover_between_2_and_33_percent()
    {
        var erasing = new RandomErasing(p: 1.0);
        var rng = new AugmentRandom(3);
        const int h = 224, w = 224;
        CropBox?[] boxes = erasing.Sample(rng, 3000, h, w);
        Assert.True(boxes.Count(b => b is not null) > 2900); // an attempt fails only rarely
        foreach (CropBox box in boxes.OfType<CropBox>())
        {
            Assert.True(box.FitsIn(h, w) && box.Height < h && box.Width < w, $"{box}");
            // h, w are rounded from sqrt(area·r), sqrt(area/r) (sides >= 17 here): a few % slack.
            Assert.InRange((double)box.Area / (h * w), 0.02 * 0.96, 1 / 3.0 * 1.01);
            Assert.InRange((double)box.Height / box.Width, 0.3 / 1.07, 1 / 0.3 * 1.07);
        }
        var fractions = boxes.OfType<CropBox>().Select(b => (double)b.Area / (h * w)).ToArray();
        Assert.InRange(fractions.Average(), 0.165, 0.187); // 0.176 in a 30000-draw simulation of timm's algorithm

        var rare = new RandomErasing(p: 0.25);
        var rng2 = new AugmentRandom(4);
        double rate = rare.Sample(rng2, 4000, h, w).Count(b => b is not null) / 4000.0;
        Assert.InRange(rate, 0.22, 0.28);
    }

    [Fact]
    public void Erasing_changes_only_its_box_the_same_in_every_frame()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = RandomBytes(8, 2, 3, 4, 32, 32).to(ScalarType.Float32); // [B=2, 3, T=4, H, W]
        CropBox?[] boxes = [new CropBox(5, 7, 10, 12), null];
        var rng = new AugmentRandom(8);

        Tensor zeroed = x.clone();
        new RandomErasing(fill: ErasingFill.Zero).ApplyInPlace(zeroed, boxes, rng);
        Tensor noisy = x.clone();
        new RandomErasing(fill: ErasingFill.Pixel).ApplyInPlace(noisy, boxes, rng);

        float[] before = x.ToArray<float>(), z = zeroed.ToArray<float>(), p = noisy.ToArray<float>();
        int changedInside = 0;
        var firstFrameNoise = new Dictionary<(int, int, int), float>();
        int sameNoiseAcrossFrames = 0;
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 3; c++)
                for (int t = 0; t < 4; t++)
                    for (int y = 0; y < 32; y++)
                        for (int xx = 0; xx < 32; xx++)
                        {
                            int at = (((b * 3 + c) * 4 + t) * 32 + y) * 32 + xx;
                            bool inside = b == 0 && y >= 5 && y < 15 && xx >= 7 && xx < 19;
                            if (inside)
                            {
                                Assert.Equal(0f, z[at]);
                                if (p[at] != before[at]) changedInside++;
                                if (t == 0) firstFrameNoise[(c, y, xx)] = p[at];
                                else if (firstFrameNoise[(c, y, xx)] == p[at]) sameNoiseAcrossFrames++;
                            }
                            else
                            {
                                Assert.Equal(before[at], z[at]);
                                Assert.Equal(before[at], p[at]);
                            }
                        }
        Assert.Equal(3 * 4 * 10 * 12, changedInside); // every erased value replaced by noise
        Assert.True(sameNoiseAcrossFrames < 5);        // fresh noise per frame
        float[] noise = firstFrameNoise.Values.ToArray();
        double m = noise.Average(v => (double)v), sd = Math.Sqrt(noise.Average(v => (v - m) * (v - m)));
        Assert.InRange(m, -0.2, 0.2);   // standard normal noise
        Assert.InRange(sd, 0.85, 1.15);
    }

    [Fact]
    public void Cutmix_lambda_and_targets_equal_the_pasted_area_fraction()
    {
        using var scope = torch.NewDisposeScope();
        var cutmix = new MixupCutmix(mixupAlpha: 0, cutmixAlpha: 1.0, labelSmoothing: 0.1);
        var rng = new AugmentRandom(21);
        const int b = 4, h = 16, w = 16, classes = 5;
        long[] labels = [0, 3, 1, 4];
        for (int trial = 0; trial < 30; trial++)
        {
            MixParams p = cutmix.Sample(rng, h, w);
            if (!p.Active) continue;
            Assert.True(p.UseCutmix);
            // Sample i is filled with the value i, in every frame.
            Tensor x = torch.arange(b, ScalarType.Float32).reshape(b, 1, 1, 1, 1).expand(b, 3, 2, h, w).contiguous();
            MixupCutmix.ApplyInPlace(x, p);
            float[] v = x.ToArray<float>();
            for (int i = 0; i < b; i++)
            {
                int partner = b - 1 - i;
                int fromPartner = 0, total = 3 * 2 * h * w;
                for (int k = 0; k < total; k++)
                    if (v[i * total + k] == partner && partner != i) fromPartner++;
                double pastedFraction = (double)fromPartner / total;
                Assert.Equal(1 - p.Lambda, pastedFraction, 10);
                Assert.Equal((double)(p.Bottom - p.Top) * (p.Right - p.Left) / (h * w), pastedFraction, 10);
            }
            float[] t = cutmix.Targets(torch.tensor(labels, b), classes, p).ToArray<float>();
            for (int i = 0; i < b; i++)
            {
                double off = 0.1 / classes, on = 1 - 0.1 + off;
                double[] expected = Enumerable.Repeat(off, classes).ToArray();
                expected[labels[i]] += (on - off) * p.Lambda;
                expected[labels[b - 1 - i]] += (on - off) * (1 - p.Lambda);
                for (int k = 0; k < classes; k++) Assert.Equal(expected[k], t[i * classes + k], tolerance: 1e-5);
                Assert.Equal(1.0, t.Skip(i * classes).Take(classes).Sum(), tolerance: 1e-5);
            }
        }
    }

    [Fact]
    public void Mixup_is_the_convex_combination_with_the_flipped_batch()
    {
        using var scope = torch.NewDisposeScope();
        var mixup = new MixupCutmix(mixupAlpha: 0.8, cutmixAlpha: 0, labelSmoothing: 0);
        var rng = new AugmentRandom(2);
        MixParams p = mixup.Sample(rng, 8, 8);
        Assert.True(p.Active && !p.UseCutmix);
        Assert.InRange(p.Lambda, 0.0, 1.0);
        Tensor x = RandomBytes(1, 3, 3, 2, 8, 8).to(ScalarType.Float32); // [B=3, 3, 2, 8, 8]
        float[] before = x.ToArray<float>();
        MixupCutmix.ApplyInPlace(x, p);
        float[] after = x.ToArray<float>();
        int per = 3 * 2 * 8 * 8;
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < per; k++)
            {
                double expected = p.Lambda * before[i * per + k] + (1 - p.Lambda) * before[(2 - i) * per + k];
                Assert.Equal(expected, after[i * per + k], tolerance: 1e-3);
            }
        float[] t = mixup.Targets(torch.tensor(new long[] { 2, 0, 1 }, 3), 3, p).ToArray<float>();
        // Sample 0 (label 2) mixes with sample 2 (label 1): weight λ on class 2, 1-λ on class 1.
        Assert.Equal(0.0, t[0], tolerance: 1e-5);
        Assert.Equal(1 - p.Lambda, t[1], tolerance: 1e-5);
        Assert.Equal(p.Lambda, t[2], tolerance: 1e-5);
        // The middle sample of an odd batch is its own partner.
        Assert.Equal(1.0, t[3 + 0], tolerance: 1e-5);
        for (int i = 0; i < 3; i++) Assert.Equal(1.0, t.Skip(3 * i).Take(3).Sum(), tolerance: 1e-5);
    }

    [Fact]
    public void Mixing_switches_between_mixup_and_cutmix_about_half_the_time()
    {
        var both = new MixupCutmix();
        var rng = new AugmentRandom(6);
        MixParams[] draws = Enumerable.Range(0, 2000).Select(_ => both.Sample(rng, 224, 224)).ToArray();
        double cut = draws.Count(d => d.UseCutmix) / 2000.0;
        Assert.InRange(cut, 0.45, 0.55);
        Assert.All(draws, d => Assert.InRange(d.Lambda, 0.0, 1.0));
        var off = new MixupCutmix(mixupAlpha: 0, cutmixAlpha: 0);
        Assert.False(off.Sample(rng, 224, 224).Active);
    }
}
