using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Video;

namespace CrossVideoMAE.Stages.Clips;

/// <summary>
/// The clip stages of one configuration, in the order a video goes through them:
/// <see cref="Planner"/> (probe, clip and frame sampling) -> <see cref="Decoder"/> (decode the needed frames, JPEG
/// each as it arrives, recount a lying frame count) -> <see cref="RowBuilder"/> (the clips' shard rows).
/// The prepare graph runs each stage as its own Dataflow block; <see cref="ExtractAsync"/> and
/// <see cref="ExtractBatchAsync"/> run them one after the other and give the same outcomes.
/// </summary>
public sealed class ClipExtractor
{
    public ClipExtractor(ClipExtractorOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var retry = new StageRetry(o.Retries, o.StageTimeout);
        var decoderOptions = new VideoDecoderOptions
        {
            ShortSide = o.ShortSide, Timeout = o.StageTimeout, PastEndCheckFrames = ClipFrameDecoder.PastEndCheckFrames,
        };
        Planner = new ClipPlanner(o, decoderOptions.SeekMarginSeconds, retry);
        Decoder = new ClipFrameDecoder(new VideoDecoder(decoderOptions), Planner, retry, o.JpegQuality, o.ScratchDir);
        RowBuilder = ClipRowBuilder.For(o);
    }

    public ClipPlanner Planner { get; }
    public ClipFrameDecoder Decoder { get; }
    public ClipRowBuilder RowBuilder { get; }

    /// <summary>One video through every stage, decoded alone.</summary>
    public async Task<VideoOutcome> ExtractAsync(int ordinal, VideoEntry entry, CancellationToken ct)
    {
        IReadOnlyList<ProbedVideo> probed = await Planner.PlanAsync([(ordinal, entry)], ct);
        return RowBuilder.Build(await Decoder.DecodeOneAsync(probed[0], ct));
    }

    /// <summary>Several videos through every stage, in order, sharing ffmpeg runs where they can.</summary>
    public async Task<IReadOnlyList<VideoOutcome>> ExtractBatchAsync(IReadOnlyList<(int Ordinal, VideoEntry Entry)> videos, CancellationToken ct)
    {
        IReadOnlyList<DecodedVideo> decoded = await Decoder.DecodeAsync(await Planner.PlanAsync(videos, ct), ct);
        return decoded.Select(RowBuilder.Build).ToList();
    }
}
