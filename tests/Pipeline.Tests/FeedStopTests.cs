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
    [InlineData(false, false)] // batches mix sizes: samples own their tensors, collation stacks them
    [InlineData(true, false)]  // one size: each batch decodes into a slab rented from the feed's pool
    [InlineData(true, true)]   // labelled (fine-tuning): u² x 2 copies go back to the pool, the targets are disposed
    public async Task An_epoch_whole_or_stopped_early_frees_every_tensor_the_graph_held(bool oneSize, bool labelled)
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.Path, oneSize);
        var augment = new PretrainSettings { Model = { Frames = 4, VideoSize = 32, FrameSize = 32 } }.ToAugmentConfig();
        var options = new FeedOptions(BatchSize: 2, labelled ? augment with { NumClasses = 3 } : augment, Seed: 3)
        {
            DecodeThreads = 2, Prefetch = 2, WindowShards = 2, Labelled = labelled, Repeats = labelled ? 2 : 1,
        };
        // The same epochs whole first: whatever the code creates once and keeps (cached constants, e.g. per
        // pair of sizes a batch of mixed sizes meets) exists before counting.
        using (TrainFeed warm = await TrainFeed.OpenAsync(index, options))
            for (int epoch = 1; epoch <= 2; epoch++)
                await foreach (FeedBatch b in warm.EpochAsync(epoch, startBatch: 0, count: warm.BatchesPerEpoch))
                    b.Dispose();
        // Anything earlier tests left to finalisers is finalised now, not while this test counts.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = Tensor.LiveCount;
        using (TrainFeed feed = await TrainFeed.OpenAsync(index, options))
        {
            // One whole epoch (the pool keeps the views between batches) ...
            await foreach (FeedBatch b in feed.EpochAsync(epoch: 1, startBatch: 0, count: feed.BatchesPerEpoch))
                b.Dispose();
            // ... and one stopped after its first batch, given time to fill the graph behind it
            // (decode, batch, collate, augment, output).
            await foreach (FeedBatch b in feed.EpochAsync(epoch: 2, startBatch: 0, count: feed.BatchesPerEpoch))
            {
                b.Dispose();
                await Task.Delay(500);
                break;
            }
        }
        // The feed's pools were freed with it; every other tensor the epochs made was freed when they ended.
        Assert.Equal(before, Tensor.LiveCount);
    }
}
