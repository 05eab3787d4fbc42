using CrossVideoMAE.Pipeline.Train;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public class SampleOrderTests
{
    private static readonly long[] Rows = [5, 0, 7, 3, 9, 4];

    [Fact]
    public void An_epoch_visits_every_sample_exactly_once()
    {
        var order = new SampleOrder(Rows, seed: 7, windowShards: 2);
        var seen = order.Epoch(0).ToList();
        Assert.Equal(Rows.Sum(), seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        for (int s = 0; s < Rows.Length; s++)
            Assert.Equal(Rows[s], seen.Count(x => x.shard == s));
    }

    [Fact]
    public void Same_seed_and_epoch_give_the_same_order_and_others_differ()
    {
        var a = new SampleOrder(Rows, 7).Epoch(3).ToList();
        var b = new SampleOrder(Rows, 7).Epoch(3).ToList();
        var otherEpoch = new SampleOrder(Rows, 7).Epoch(4).ToList();
        var otherSeed = new SampleOrder(Rows, 8).Epoch(3).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, otherEpoch);
        Assert.NotEqual(a, otherSeed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(11)]
    [InlineData(27)]
    [InlineData(28)]
    public void Resuming_at_sample_k_continues_the_same_sequence(int k)
    {
        var order = new SampleOrder(Rows, 7, windowShards: 2);
        var full = order.Epoch(1).ToList();
        Assert.Equal(full.Skip(k), order.Epoch(1, skip: k));
    }

    [Fact]
    public void Skip_past_the_end_is_refused()
    {
        var order = new SampleOrder(Rows, 7);
        Assert.Throws<ArgumentOutOfRangeException>(() => order.Epoch(0, skip: 29).ToList());
    }
}
