using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>Consumers select splits by name from index.json: counting needs no shard, reading opens only
/// the selected split's shards, and an unknown split is an error naming the splits there are.</summary>
public sealed class SplitSelectionTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-splits");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Split_counts_come_from_the_index_and_reading_a_split_opens_only_its_shards()
    {
        var videos = DownstreamTestData.ColourVideos(train: 2, val: 1, clips: 2);
        string indexPath = await DownstreamTestData.WriteAsync(dir.Path, videos);
        ShardIndex index = await ShardIndexFile.LoadAsync(indexPath);
        Assert.All(index.Shards, s => Assert.Equal(
            [s.Split], DuckDb.Query($"SELECT DISTINCT split FROM {DuckDb.Literal(ShardLocation.ResolveFromIndex(indexPath, s))}").Select(r => r.GetProperty("split").GetString())));

        // Without the train shards: counting and reading val still work, as nothing else is opened.
        foreach (ShardInfo s in index.Shards.Where(s => s.Split == "train")) File.Delete(ShardLocation.ResolveFromIndex(indexPath, s));
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(indexPath);
        var counts = await loader.CountSplitsAsync();
        Assert.Equal((12, 6), (counts["train"], counts["val"]));
        Assert.Equal("val", await loader.HeldOutSplitAsync(null));
        int clips = 0;
        await foreach (LabelledClipBatch b in loader.ReadAsync("val", DownstreamSetup.CenterCrop(32), batchSize: 4))
            using (b) clips += b.Count;
        Assert.Equal(6, clips);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => loader.HeldOutSplitAsync("test"));
        Assert.Contains("train (12), val (6)", e.Message);
    }

    [Fact]
    public async Task The_train_feed_reads_the_selected_splits_and_names_the_splits_for_an_unknown_one()
    {
        var videos = DownstreamTestData.ColourVideos(train: 2, val: 1);
        string indexPath = await DownstreamTestData.WriteAsync(dir.Path, videos);
        FeedOptions Options(params string[] splits) =>
            new(BatchSize: 2, new PretrainSettings { Model = { Frames = 4, VideoSize = 32, FrameSize = 32 } }.ToAugmentConfig(), Seed: 3)
            {
                DecodeThreads = 1, Prefetch = 1, WindowShards = 2, Splits = splits,
            };
        using (TrainFeed all = await TrainFeed.OpenAsync(indexPath, Options())) Assert.Equal(9, all.Order.Total);
        using (TrainFeed train = await TrainFeed.OpenAsync(indexPath, Options("train")))
        {
            Assert.Equal(6, train.Order.Total);
            Assert.All(train.Index.Shards, s => Assert.Equal("train", s.Split));
        }
        var e = await Assert.ThrowsAsync<ArgumentException>(() => TrainFeed.OpenAsync(indexPath, Options("test")));
        Assert.Contains("no split 'test' (splits: train (6 rows), val (3 rows))", e.Message);
    }
}
