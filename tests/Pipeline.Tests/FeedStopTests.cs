using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>Tests that count the process's live tensors: they run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveTensorCollection
{
    public const string Name = "live tensor count";
}

[Collection(LiveTensorCollection.Name)]
public class FeedStopTests
{
    [Theory]
    [InlineData(false)] // batches mix sizes: samples own their tensors, collation stacks them
    [InlineData(true)]  // one size: each batch decodes into a slab rented from the feed's pool
    public async Task Stopping_an_epoch_early_frees_every_tensor_the_graph_still_held(bool oneSize)
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.Path, oneSize);
        var options = new FeedOptions(BatchSize: 2, new PretrainSettings { Model = { Frames = 4, VideoSize = 32, FrameSize = 32 } }.ToAugmentConfig(), Seed: 3)
        {
            DecodeThreads = 2, Prefetch = 2, WindowShards = 2,
        };
        // A whole epoch first: whatever the code creates once and keeps (cached constants) exists before counting.
        using (TrainFeed warm = await TrainFeed.OpenAsync(index, options))
            await foreach (FeedBatch b in warm.EpochAsync(epoch: 0, startBatch: 0, count: warm.BatchesPerEpoch))
                b.Dispose();
        // Anything earlier tests left to finalisers is finalised now, not while this test counts.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = Tensor.LiveCount;
        using (TrainFeed feed = await TrainFeed.OpenAsync(index, options))
        {
            await foreach (FeedBatch b in feed.EpochAsync(epoch: 0, startBatch: 0, count: feed.BatchesPerEpoch))
            {
                b.Dispose();
                // Give the graph time to fill behind the first batch (decode, batch, collate, augment, output).
                await Task.Delay(500);
                break;
            }
        }
        // The feed's pools were freed with it; every other tensor the epoch made was freed when it stopped.
        Assert.Equal(before, Tensor.LiveCount);
    }
}
