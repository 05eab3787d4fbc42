using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Sampling;
using CrossVideoMAE.Stages.Video;

namespace CrossVideoMAE.Stages.Clips;

/// <summary>
/// Probe stage: learns each video's size, rate and frame count, samples its clips and the frames of each clip
/// from that count, and lists the source frames the decoder must produce (<see cref="ClipPlan"/>).
/// <para>Probing reads the container's own index in this process (<see cref="ContainerIndexReader"/>), so most
/// videos cost no tool run here. ffprobe runs only when the index cannot be read exactly (then it reports why a
/// file is unusable), and when the clip starts far enough in that a fast seek saves more decoding than an ffprobe
/// run costs (<see cref="SeekPaysAbovePixels"/>; seeking needs ffprobe's timestamps). A count the container's own structure
/// speaks against (<see cref="FrameCountDoubt"/>: a file cut short, an AVI index that lists another number of frames)
/// is replaced by a count by decoding before sampling; a count
/// that proves wrong at decode time is replaced by a count by decoding (<see cref="CountFramesAsync"/>) and the video sampled again
/// (<see cref="Resample"/>), so the result depends only on the file.</para>
/// Safe to call from several threads at once.
/// </summary>
public sealed class ClipPlanner
{
    /// <summary>Decoding that a fast seek may skip (frames before the seek point x pixels per frame) above which an
    /// ffprobe run (about 0.15 s of CPU, mostly loading ffmpeg's libraries) is worth it: 10 megapixels decode in
    /// roughly 0.1-0.5 s on one core, depending on the codec.</summary>
    public const double SeekPaysAbovePixels = 10e6;

    private readonly ContainerIndexReader index = new();
    private readonly VideoProbe probe;
    private readonly VideoProbe timingProbe;
    private readonly double seekMarginSeconds;
    private readonly ClipSampler clips;
    private readonly FrameSampler frames;
    private readonly StageRetry retry;

    internal ClipPlanner(ClipExtractorOptions o, double seekMarginSeconds, StageRetry retry)
    {
        probe = new VideoProbe(new VideoProbeOptions { Timeout = o.StageTimeout });
        timingProbe = new VideoProbe(new VideoProbeOptions { Timeout = o.StageTimeout, CountFramesWhenMissing = false });
        this.seekMarginSeconds = seekMarginSeconds;
        clips = new ClipSampler(new ClipSamplerOptions
        {
            FramesPerClip = o.ClipLength, Stride = o.Stride, Mode = o.ClipMode, ClipsPerVideo = o.ClipsPerVideo, Seed = o.Seed,
        });
        frames = new FrameSampler(new FrameSamplerOptions { Count = o.SampledFrames, Selection = o.Selection, Seed = o.Seed });
        this.retry = retry;
    }

    /// <summary>Plans each video of a group, in order; one that cannot be probed gets its quarantine entry.</summary>
    public async Task<IReadOnlyList<ProbedVideo>> PlanAsync(IReadOnlyList<(int Ordinal, VideoEntry Entry)> videos, CancellationToken ct)
    {
        var probed = new ProbedVideo[videos.Count];
        for (int v = 0; v < videos.Count; v++)
        {
            var (ordinal, entry) = videos[v];
            var (plan, quarantined) = await retry.GuardAsync(entry, () => PlanOneAsync(entry, ct));
            probed[v] = new ProbedVideo(ordinal, entry, plan, quarantined);
        }
        return probed;
    }

    /// <summary>The plan of one video. Exceptions as for <see cref="VideoProbe.ProbeAsync"/> (after the retries).</summary>
    public async Task<ClipPlan> PlanOneAsync(VideoEntry entry, CancellationToken ct)
    {
        VideoInfo info = index.TryRead(entry.Path) ?? await retry.RunAsync(t => probe.ProbeAsync(entry.Path, t), ct);
        if (FrameCountDoubt.Reason(info) is not null)
            info = await retry.RunAsync(t => probe.CountFramesAsync(info, t), ct);
        ClipPlan plan = Sample(entry, info);
        if (!info.TimingFromFfprobe && SeekPays(info, plan.Needed[0]))
        {
            // The index's frame count stays (the clips were sampled from it); ffprobe supplies the timestamps.
            VideoInfo timing = await retry.RunAsync(t => timingProbe.ProbeAsync(entry.Path, t), ct);
            plan = plan with { Info = timing with { FrameCount = info.FrameCount, FrameCountSource = info.FrameCountSource } };
        }
        return plan;
    }

    /// <summary>Counts the frames of a planned video by decoding (after the retries). Exceptions as for
    /// <see cref="VideoProbe.CountFramesAsync"/>.</summary>
    public Task<VideoInfo> CountFramesAsync(ClipPlan plan, CancellationToken ct) =>
        retry.RunAsync(t => probe.CountFramesAsync(plan.Info, t), ct);

    /// <summary>The plan sampled again from <paramref name="counted"/> (the same video with its frames counted by decoding).</summary>
    public ClipPlan Resample(ClipPlan plan, VideoInfo counted) => Sample(plan.Entry, counted);

    private ClipPlan Sample(VideoEntry entry, VideoInfo info)
    {
        IReadOnlyList<SampledClip> sampled = clips.Sample(entry.VideoId, info.FrameCount);
        var planned = sampled.Select(c => new PlannedClip(c, frames.Sample(entry.VideoId, c))).ToList();
        int[] needed = planned.SelectMany(c => c.Clip.FrameIndices).Distinct().Order().ToArray();
        return new ClipPlan(entry, info, planned, needed);
    }

    // Frames a seek would skip (it lands SeekMargin before the first needed frame) times their size.
    private bool SeekPays(VideoInfo info, int firstFrame)
    {
        double skippedFrames = firstFrame - seekMarginSeconds * info.Fps;
        return skippedFrames * info.Width * info.Height > SeekPaysAbovePixels;
    }
}
