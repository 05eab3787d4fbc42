using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>The labelled feed frees what it makes: its u² views go back to the pool and its targets are disposed.</summary>
[Collection(LiveTensorCollection.Name)]
public class FeedLabelledStopTests
{
    [Fact]
    public async Task A_labelled_epoch_whole_or_stopped_early_leaves_no_tensor_behind()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.Path, oneSize: true);
        var options = new FeedOptions(BatchSize: 2, new PretrainSettings { Model = { Frames = 4, VideoSize = 32, FrameSize = 32 } }.ToAugmentConfig() with { NumClasses = 3 }, Seed: 3)
        {
            DecodeThreads = 2, Prefetch = 2, WindowShards = 2, Labelled = true, Repeats = 2,
        };
        // A whole epoch first: whatever the code creates once and keeps (cached constants) exists before counting.
        using (TrainFeed warm = await TrainFeed.OpenAsync(index, options))
            await foreach (FeedBatch b in warm.EpochAsync(epoch: 0, startBatch: 0, count: warm.BatchesPerEpoch))
                b.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = Tensor.LiveCount;
        using (TrainFeed feed = await TrainFeed.OpenAsync(index, options))
        {
            // One whole epoch (the pool keeps the views between batches) ...
            await foreach (FeedBatch b in feed.EpochAsync(epoch: 1, startBatch: 0, count: feed.BatchesPerEpoch))
                b.Dispose();
            // ... and one stopped after its first batch with the graph full behind it.
            await foreach (FeedBatch b in feed.EpochAsync(epoch: 2, startBatch: 0, count: feed.BatchesPerEpoch))
            {
                b.Dispose();
                await Task.Delay(500);
                break;
            }
        }
        Assert.Equal(before, Tensor.LiveCount);
    }
}
