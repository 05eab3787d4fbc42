using CrossVideoMAE.Model.Masking;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

public class MaskingTests
{
    private static readonly TokenGrid VitB = new(8, 14, 14);

    /// <summary>The MAE contract: the mask is 0 exactly at IdsKeep, and IdsRestore sends visible token IdsKeep[j] to slot j.</summary>
    private static void AssertConsistent(MaskingResult m, long length)
    {
        long b = m.Mask.size(0), lv = m.IdsKeep.size(1);
        long[] keep = m.IdsKeep.ToArray<long>(), restore = m.IdsRestore.ToArray<long>();
        float[] mask = m.Mask.ToArray<float>();
        for (long i = 0; i < b; i++)
        {
            var visible = new HashSet<long>();
            for (long j = 0; j < lv; j++)
            {
                long tok = keep[i * lv + j];
                Assert.True(visible.Add(tok), "a visible token is listed twice");
                Assert.Equal(j, restore[i * length + tok]);
            }
            for (long tok = 0; tok < length; tok++)
            {
                Assert.Equal(visible.Contains(tok) ? 0f : 1f, mask[i * length + tok]);
                if (!visible.Contains(tok)) Assert.True(restore[i * length + tok] >= lv);
            }
            Assert.Equal(length, Enumerable.Range(0, (int)length).Select(t => restore[i * length + t]).Distinct().Count());
        }
    }

    [Theory]
    [InlineData(0.95, 78)]   // 1568 * 0.05 = 78.4
    [InlineData(0.90, 156)]  // 156.8
    [InlineData(0.75, 392)]
    public void Random_masking_keeps_floor_of_L_times_one_minus_rho(double rho, long expected)
    {
        using var scope = torch.NewDisposeScope();
        var masking = TokenMasking.Create(MaskingKind.Random, VitB, rho);
        using var g = new Generator(5);
        MaskingResult m = masking.Sample(3, g);
        Assert.Equal(new long[] { 3, expected }, m.IdsKeep.shape);
        Assert.Equal(new long[] { 3, 1568 }, m.Mask.shape);
        Assert.Equal(new float[] { 1568 - expected, 1568 - expected, 1568 - expected }, m.Mask.sum(1).ToArray<float>());
        AssertConsistent(m, 1568);
    }

    [Fact]
    public void Image_masking_at_ninety_percent_leaves_19_of_196()
    {
        using var scope = torch.NewDisposeScope();
        var masking = TokenMasking.Create(MaskingKind.Random, TokenGrid.Image(14, 14), 0.90);
        Assert.Equal(19, masking.KeptTokens);
        using MaskingResult m = masking.Sample(2, new Generator(1));
        AssertConsistent(m, 196);
    }

    [Fact]
    public void Floor_is_not_fooled_by_rounding()
    {
        // 10 * (1 - 0.9) evaluates to 0.9999999999999998 in doubles; the count is 1.
        Assert.Equal(1, TokenMasking.Create(MaskingKind.Random, new TokenGrid(1, 2, 5), 0.9).KeptTokens);
        Assert.Throws<ArgumentException>(() => TokenMasking.Create(MaskingKind.Random, new TokenGrid(2, 2, 2), 0.95));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenMasking.Create(MaskingKind.Random, VitB, 1.0));
    }

    [Fact]
    public void Masks_differ_per_sample_and_per_call_and_repeat_with_the_seed()
    {
        using var scope = torch.NewDisposeScope();
        var masking = TokenMasking.Create(MaskingKind.Random, VitB, 0.9);
        using var g1 = new Generator(42);
        MaskingResult a = masking.Sample(2, g1), b = masking.Sample(2, g1);
        using var g2 = new Generator(42);
        MaskingResult again = masking.Sample(2, g2);
        Assert.Equal(a.Mask.ToArray<float>(), again.Mask.ToArray<float>());
        Assert.NotEqual(a.Mask.ToArray<float>(), b.Mask.ToArray<float>());            // second view
        Assert.NotEqual(a.Mask[0].ToArray<float>(), a.Mask[1].ToArray<float>());      // second sample
    }

    [Fact]
    public void Tube_masks_repeat_across_time()
    {
        using var scope = torch.NewDisposeScope();
        var masking = TokenMasking.Create(MaskingKind.Tube, VitB, 0.9);
        Assert.Equal(8 * 19, masking.KeptTokens);       // floor(196 * 0.1) = 19 positions in each of 8 slices
        MaskingResult m = masking.Sample(3, new Generator(7));
        AssertConsistent(m, 1568);
        float[] mask = m.Mask.ToArray<float>();
        for (int i = 0; i < 3; i++)
        {
            for (int t = 1; t < 8; t++)
                for (int s = 0; s < 196; s++)
                    Assert.Equal(mask[i * 1568 + s], mask[i * 1568 + t * 196 + s]);
            Assert.Equal(196 - 19, Enumerable.Range(0, 196).Count(s => mask[i * 1568 + s] == 1f));
        }
    }

    [Fact]
    public void Frame_masks_drop_whole_temporal_slices()
    {
        using var scope = torch.NewDisposeScope();
        var masking = TokenMasking.Create(MaskingKind.Frame, VitB, 0.75);
        Assert.Equal(2 * 196, masking.KeptTokens);      // floor(8 * 0.25) = 2 slices
        MaskingResult m = masking.Sample(4, new Generator(9));
        AssertConsistent(m, 1568);
        float[] mask = m.Mask.ToArray<float>();
        for (int i = 0; i < 4; i++)
        {
            int visibleSlices = 0;
            for (int t = 0; t < 8; t++)
            {
                float first = mask[i * 1568 + t * 196];
                for (int s = 1; s < 196; s++) Assert.Equal(first, mask[i * 1568 + t * 196 + s]);
                if (first == 0f) visibleSlices++;
            }
            Assert.Equal(2, visibleSlices);
        }
    }

    [Fact]
    public void Per_sample_noise_gives_a_sample_the_same_mask_in_any_batch_and_row_layout()
    {
        var grid = new TokenGrid(2, 4, 4);
        TokenMasking masking = TokenMasking.Create(MaskingKind.Tube, grid, 0.5);
        Generator[] Gens(params ulong[] seeds) => seeds.Select(s => new Generator(s)).ToArray();
        Generator[] a = Gens(10, 11, 12), b = Gens(12, 10);
        try
        {
            using var scope = torch.NewDisposeScope();
            // Three samples of 2 rows each (e.g. 2 frames), and the same samples 12 and 10 in another batch.
            MaskingResult x = masking.Sample(3, 2, MaskNoise.PerSample(a));
            MaskingResult y = masking.Sample(2, 2, MaskNoise.PerSample(b));
            AssertConsistent(x, grid.Length);
            Assert.Equal(x.Mask.narrow(0, 4, 2).ToArray<float>(), y.Mask.narrow(0, 0, 2).ToArray<float>());   // sample 12
            Assert.Equal(x.Mask.narrow(0, 0, 2).ToArray<float>(), y.Mask.narrow(0, 2, 2).ToArray<float>());   // sample 10
            Assert.NotEqual(x.Mask.select(0, 0).ToArray<float>(), x.Mask.select(0, 1).ToArray<float>());      // a sample's rows differ
            Assert.Throws<ArgumentException>(() => masking.Sample(2, 1, MaskNoise.PerSample(a)));
        }
        finally
        {
            foreach (Generator g in a.Concat(b)) g.Dispose();
        }
    }
}
