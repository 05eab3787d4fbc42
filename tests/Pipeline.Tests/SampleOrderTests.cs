using CrossVideoMAE.Stages.Feed;
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

    [Theory]
    [InlineData(2, 4)]
    [InlineData(3, 6)]
    [InlineData(4, 4)]
    public void Rank_shares_are_disjoint_and_together_are_the_epochs_full_batches(int world, int globalBatch)
    {
        var order = new SampleOrder(Rows, 7, windowShards: 2);
        var epoch = order.Epoch(2).ToList();
        long full = epoch.Count / globalBatch * globalBatch;
        var shares = Enumerable.Range(0, world).Select(r => order.RankShare(2, r, world, globalBatch).ToList()).ToList();
        var all = shares.SelectMany(x => x).ToList();
        Assert.Equal(full, all.Count);
        Assert.Equal(all.Count, all.Select(x => x.position).Distinct().Count());
        // Each position carries the one-rank order's sample, and rank r holds slice r of every global batch.
        foreach (var (shard, row, position) in all) Assert.Equal(epoch[(int)position], (shard, row));
        int local = globalBatch / world;
        for (int r = 0; r < world; r++)
        {
            Assert.Equal(full / world, shares[r].Count);
            Assert.All(shares[r], x => Assert.Equal(r, (int)(x.position % globalBatch / local)));
        }
    }

    [Fact]
    public void A_rank_share_started_at_batch_k_is_the_tail_of_the_whole_share()
    {
        var order = new SampleOrder(Rows, 7, windowShards: 2);
        var whole = order.RankShare(1, rank: 1, worldSize: 2, globalBatch: 4).ToList();
        Assert.Equal(whole.Skip(2 * 3), order.RankShare(1, 1, 2, 4, startBatch: 3));
    }

    [Fact]
    public void A_global_batch_that_the_ranks_cannot_split_evenly_is_refused()
    {
        var order = new SampleOrder(Rows, 7);
        Assert.Throws<ArgumentException>(() => order.RankShare(0, 0, 3, 4).ToList());
        Assert.Throws<ArgumentOutOfRangeException>(() => order.RankShare(0, 2, 2, 4).ToList());
    }
}
