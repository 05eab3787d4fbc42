using System.Threading.Tasks.Dataflow;
using CrossVideoMAE.Stages.Datasets;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// The prepare Dataflow graph: inputs in groups -> extract (probe, sample, decode with one shared
/// ffmpeg run per group, JPEG; several groups at once, results kept in input order) -> one writer.
/// Bounded buffers keep memory independent of the number of videos; cancellation stops every block
/// (and kills running ffmpeg processes).
/// </summary>
public static class PrepareGraph
{
    /// <param name="inputs">(ordinal, entry) in manifest order</param>
    /// <param name="count">how many inputs there are (sizes the groups)</param>
    /// <param name="decodeBatch">most videos per group (one shared ffmpeg run)</param>
    /// <param name="write">called once per video, in input order, on one thread</param>
    public static async Task RunAsync(IEnumerable<(int ordinal, VideoEntry entry)> inputs, int count, ClipExtractor extractor,
        int parallelism, int decodeBatch, Func<VideoOutcome, Task> write, CancellationToken ct)
    {
        var extract = new TransformManyBlock<(int, VideoEntry)[], VideoOutcome>(
            async group => await extractor.ExtractBatchAsync(group, ct),
            new ExecutionDataflowBlockOptions
            {
                MaxDegreeOfParallelism = parallelism,
                BoundedCapacity = parallelism * 2,
                EnsureOrdered = true,
                CancellationToken = ct,
            });
        var writer = new ActionBlock<VideoOutcome>(write, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = 1,
            BoundedCapacity = parallelism * 2 * decodeBatch,
            CancellationToken = ct,
        });
        extract.LinkTo(writer, new DataflowLinkOptions { PropagateCompletion = true });
        // A failing writer must stop the producers too, or SendAsync would wait on a full buffer forever.
        _ = writer.Completion.ContinueWith(t => ((IDataflowBlock)extract).Fault(t.Exception!.GetBaseException()),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        foreach (var group in inputs.Chunk(GroupSize(count, parallelism, decodeBatch)))
            if (!await extract.SendAsync(group, ct))
                break;  // a block faulted; its exception surfaces below
        extract.Complete();
        await writer.Completion;
    }

    /// <summary>Videos per group: up to <paramref name="decodeBatch"/>, but small enough that there are at
    /// least four groups per worker, so no worker is left alone with a large last group.</summary>
    public static int GroupSize(int count, int parallelism, int decodeBatch) =>
        Math.Clamp((int)Math.Ceiling(count / (4.0 * parallelism)), 1, decodeBatch);
}
