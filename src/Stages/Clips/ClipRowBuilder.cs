using CrossVideoMAE.Stages.Sampling;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Stages.Clips;

/// <summary>
/// Sample stage: assembles each planned clip (its frames, padded or not) and the frames sampled from it out of the
/// decoded JPEG frames, as the video's shard rows. <see cref="ShardRow.NumVideoFrames"/> is the frame count the clips
/// were sampled from: the container's, or the count by decoding when the container's proved wrong.
/// </summary>
public sealed class ClipRowBuilder(int stride)
{
    /// <summary>Rows of a strided clip record its stride; those of another sampling mode record 0.</summary>
    public static ClipRowBuilder For(ClipExtractorOptions o) => new(o.ClipMode == ClipSamplingMode.Strided ? o.Stride : 0);

    /// <summary>The rows of a decoded video, or its quarantine entry.</summary>
    public VideoOutcome Build(DecodedVideo video)
    {
        if (video.Plan is not { } plan || video.Frames is not { } frames)
            return new VideoOutcome(video.Ordinal, video.Entry, [], video.Quarantined
                ?? throw new ArgumentException($"'{video.Entry.Path}' has neither frames nor a quarantine entry", nameof(video)));
        return new VideoOutcome(video.Ordinal, video.Entry, Rows(plan, frames), null);
    }

    private IReadOnlyList<ShardRow> Rows(ClipPlan plan, EncodedFrames frames) =>
        plan.Clips.Select(c => new ShardRow
        {
            VideoId = plan.Entry.VideoId,
            ClipIndex = c.Clip.ClipIndex,
            Label = plan.Entry.Label,
            LabelName = plan.Entry.LabelName,
            Split = plan.Entry.Split,
            SourcePath = plan.Entry.Path,
            Fps = plan.Info.Fps,
            Width = frames.Width,
            Height = frames.Height,
            NumVideoFrames = (int)plan.Info.FrameCount,
            ClipStart = c.Clip.FirstFrame,
            Stride = stride,
            FrameIndices = c.Clip.FrameIndices,
            Padded = c.Clip.Padded,
            Frames = c.Clip.FrameIndices.Select(k => frames.Jpegs[k]).ToList(),
            SampledFrameIndices = c.Frames.SourceFrameIndices,
            SampledPositions = c.Frames.ClipPositions,
            SampledFrames = c.Frames.SourceFrameIndices.Select(k => frames.Jpegs[k]).ToList(),
        }).ToList();
}
