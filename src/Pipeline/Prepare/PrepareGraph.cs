using System.Threading.Tasks.Dataflow;
using CrossVideoMAE.Stages.Clips;
using CrossVideoMAE.Stages.Datasets;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// The prepare Dataflow graph, one block per stage, each working on groups of videos:
/// <code>
/// inputs in groups -> probe (ClipPlanner: container index or ffprobe, clip + frame sampling)
///                  -> decode (ClipFrameDecoder: one shared ffmpeg run per group, JPEG per frame as it arrives,
///                             recount of a lying frame count)
///                  -> sample (ClipRowBuilder: the clips' rows from the JPEG frames, one outcome per video)
///                  -> write (one writer, one video at a time, in input order)
/// </code>
/// Probe and decode run several groups at once; every block keeps its input order, so the writer sees the videos
/// in input order whatever finishes first and the shards are byte-identical to a sequential run's. Bounded buffers
/// keep memory independent of the number of videos; cancellation stops every block (and kills running ffmpeg processes).
/// </summary>
public static class PrepareGraph
{
    /// <param name="inputs">(ordinal, entry) in manifest order</param>
    /// <param name="count">how many inputs there are (sizes the groups)</param>
    /// <param name="parallelism">groups probed, and groups decoded, at once</param>
    /// <param name="decodeBatch">most videos per group (one shared ffmpeg run)</param>
    /// <param name="write">called once per video, in input order, on one thread</param>
    public static async Task RunAsync(IEnumerable<(int ordinal, VideoEntry entry)> inputs, int count, ClipExtractor extractor,
        int parallelism, int decodeBatch, Func<VideoOutcome, Task> write, CancellationToken ct)
    {
        ExecutionDataflowBlockOptions Stage(int workers, int capacity) => new()
        {
            MaxDegreeOfParallelism = workers, BoundedCapacity = capacity, EnsureOrdered = true, CancellationToken = ct,
        };
        int groupsInFlight = parallelism * 2;

        var probe = new TransformBlock<(int, VideoEntry)[], IReadOnlyList<ProbedVideo>>(
            group => extractor.Planner.PlanAsync(group, ct), Stage(parallelism, groupsInFlight));
        var decode = new TransformBlock<IReadOnlyList<ProbedVideo>, IReadOnlyList<DecodedVideo>>(
            group => extractor.Decoder.DecodeAsync(group, ct), Stage(parallelism, groupsInFlight));
        var sample = new TransformManyBlock<IReadOnlyList<DecodedVideo>, VideoOutcome>(
            group => group.Select(extractor.RowBuilder.Build), Stage(1, groupsInFlight));
        var writer = new ActionBlock<VideoOutcome>(write, Stage(1, groupsInFlight * decodeBatch));

        var link = new DataflowLinkOptions { PropagateCompletion = true };
        probe.LinkTo(decode, link);
        decode.LinkTo(sample, link);
        sample.LinkTo(writer, link);
        // A failing writer must stop the producers too, or SendAsync would wait on a full buffer forever.
        IDataflowBlock[] producers = [probe, decode, sample];
        _ = writer.Completion.ContinueWith(t =>
            {
                foreach (IDataflowBlock b in producers) b.Fault(t.Exception!.GetBaseException());
            },
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        foreach (var group in inputs.Chunk(GroupSize(count, parallelism, decodeBatch)))
            if (!await probe.SendAsync(group, ct))
                break;  // a block faulted; its exception surfaces below
        probe.Complete();
        await writer.Completion;
    }

    /// <summary>Videos per group: up to <paramref name="decodeBatch"/>, but small enough that there are at
    /// least four groups per worker, so no worker is left alone with a large last group.</summary>
    public static int GroupSize(int count, int parallelism, int decodeBatch) =>
        Math.Clamp((int)Math.Ceiling(count / (4.0 * parallelism)), 1, decodeBatch);
}
