using System.Threading.Tasks.Dataflow;
using CrossVideoMAE.Stages.Datasets;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// The prepare Dataflow graph: inputs -> extract (probe, sample, decode, JPEG; several videos at
/// once, results kept in input order) -> one writer. Bounded buffers keep memory independent of
/// the number of videos; cancellation stops every block (and kills running ffmpeg processes).
/// </summary>
public static class PrepareGraph
{
    /// <param name="inputs">(ordinal, entry) in manifest order</param>
    /// <param name="write">called once per video, in input order, on one thread</param>
    public static async Task RunAsync(IEnumerable<(int ordinal, VideoEntry entry)> inputs, ClipExtractor extractor,
        int parallelism, Func<VideoOutcome, Task> write, CancellationToken ct)
    {
        var extract = new TransformBlock<(int ordinal, VideoEntry entry), VideoOutcome>(
            x => extractor.ExtractAsync(x.ordinal, x.entry, ct),
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
            BoundedCapacity = parallelism * 2,
            CancellationToken = ct,
        });
        extract.LinkTo(writer, new DataflowLinkOptions { PropagateCompletion = true });
        // A failing writer must stop the producers too, or SendAsync would wait on a full buffer forever.
        _ = writer.Completion.ContinueWith(t => ((IDataflowBlock)extract).Fault(t.Exception!.GetBaseException()),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        foreach (var input in inputs)
            if (!await extract.SendAsync(input, ct))
                break;  // a block faulted; its exception surfaces below
        extract.Complete();
        await writer.Completion;
    }
}
