using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Sampling;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Stages.Video;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// One video through the stages: probe -> clip sampling -> frame sampling -> decode (only the
/// frames the clips use, once each) -> JPEG encode -> shard rows. Transient tool failures (a
/// killed or timed-out ffmpeg) are retried by a Polly pipeline whose timeout cancels, and so
/// kills, the running tool; a corrupt file is quarantined at once.
/// <para>Probing reads the container's own index in this process (<see cref="ContainerIndexReader"/>),
/// so most videos cost no tool run but their share of a decode run that several videos share
/// (<see cref="ExtractBatchAsync"/>). ffprobe runs only when the index cannot be read
/// exactly (then it reports why a file is unusable), when the clip starts far enough in that a fast
/// seek saves more decoding than an ffprobe run costs (<see cref="SeekPaysAbovePixels"/>; seeking needs
/// ffprobe's timestamps), and when a frame count taken from packets (WebM) proves too high because
/// the decode ended before a requested frame: the frames are then counted by decoding and the clip
/// sampled again from the true count, so the result depends only on the file.</para>
/// </summary>
public sealed class ClipExtractor
{
    /// <summary>Decoding that a fast seek may skip (frames before the seek point x pixels per frame) above which an
    /// ffprobe run (about 0.15 s of CPU, mostly loading ffmpeg's libraries) is worth it: 10 megapixels decode in
    /// roughly 0.1-0.5 s on one core, depending on the codec.</summary>
    public const double SeekPaysAbovePixels = 10e6;

    private readonly ContainerIndexReader index = new();
    private readonly VideoProbe probe;
    private readonly VideoProbe timingProbe;
    private readonly double seekMarginSeconds;
    private readonly VideoDecoder decoder;
    private readonly ClipSampler clips;
    private readonly FrameSampler frames;
    private readonly int jpegQuality;
    private readonly int stride;
    private readonly ResiliencePipeline resilience;
    private readonly string scratchDir;

    public ClipExtractor(PrepareOptions o)
    {
        probe = new VideoProbe(new VideoProbeOptions { Timeout = o.StageTimeout });
        timingProbe = new VideoProbe(new VideoProbeOptions { Timeout = o.StageTimeout, CountFramesWhenMissing = false });
        var decoderOptions = new VideoDecoderOptions { ShortSide = o.ShortSide, Timeout = o.StageTimeout };
        decoder = new VideoDecoder(decoderOptions);
        seekMarginSeconds = decoderOptions.SeekMarginSeconds;
        clips = new ClipSampler(new ClipSamplerOptions
        {
            FramesPerClip = o.ClipLength, Stride = o.Stride, Mode = o.ClipMode, ClipsPerVideo = o.ClipsPerVideo, Seed = o.Seed,
        });
        frames = new FrameSampler(new FrameSamplerOptions { Count = o.SampledFrames, Selection = o.Selection, Seed = o.Seed });
        jpegQuality = o.JpegQuality;
        scratchDir = o.ScratchDir;
        stride = o.ClipMode == ClipSamplingMode.Strided ? o.Stride : 0;
        var builder = new ResiliencePipelineBuilder();
        if (o.Retries > 0)
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<VideoInputException>(e => e.IsTransient).Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = o.Retries,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
            });
        resilience = builder.AddTimeout(o.StageTimeout + TimeSpan.FromSeconds(30)).Build();
        Retries = o.Retries;
    }

    private int Retries { get; }

    public Task<VideoOutcome> ExtractAsync(int ordinal, VideoEntry entry, CancellationToken ct) =>
        GuardAsync(ordinal, entry, async () =>
        {
            Plan plan = await PlanAsync(entry, ct);
            return await DecodeAloneAsync(plan, ct);
        });

    /// <summary>
    /// Several videos, in order: each is probed and sampled alone, then every video whose decode needs no seek
    /// is decoded in one shared ffmpeg run (<see cref="VideoDecoder.DecodeSharedAsync"/>), at most
    /// <see cref="SharedRunMaxBytes"/> of decoded frames per run. A video the shared run did not finish, and one
    /// that seeks, is decoded alone, with the retries, the recount and the error reporting of <see cref="ExtractAsync"/>,
    /// so the rows and quarantine entries are the same as one call per video would give.
    /// </summary>
    public async Task<IReadOnlyList<VideoOutcome>> ExtractBatchAsync(IReadOnlyList<(int Ordinal, VideoEntry Entry)> videos, CancellationToken ct)
    {
        var outcomes = new VideoOutcome?[videos.Count];
        var plans = new Plan?[videos.Count];
        for (int v = 0; v < videos.Count; v++)
        {
            var (ordinal, entry) = videos[v];
            VideoOutcome failed = await GuardAsync(ordinal, entry, async () => { plans[v] = await PlanAsync(entry, ct); return []; });
            if (failed.Quarantined is not null) outcomes[v] = failed;
        }

        List<int> sharing = Enumerable.Range(0, videos.Count)
            .Where(v => plans[v] is { } p && decoder.CanShareRun(p.Info, p.Needed)).ToList();
        foreach (List<int> run in SharedRuns(sharing, plans))
        {
            if (run.Count < 2) continue;
            var jpegs = run.Select(_ => new Dictionary<int, byte[]>()).ToList();
            using var encoder = new JpegEncoder(jpegQuality);
            var requests = run.Select(v => new DecodeRequest(plans[v]!.Info, plans[v]!.Needed)).ToList();
            var sizes = requests.Select(q => decoder.OutputSizeOf(q.Video)).ToArray();
            bool[] done = await decoder.DecodeSharedAsync(requests, scratchDir,
                (r, index, rgb) => jpegs[r][index] = encoder.Encode(rgb, sizes[r].Width, sizes[r].Height), ct);
            for (int r = 0; r < run.Count; r++)
                if (done[r])
                {
                    int v = run[r];
                    outcomes[v] = new VideoOutcome(videos[v].Ordinal, videos[v].Entry, Rows(plans[v]!, sizes[r], jpegs[r]), null);
                }
        }

        for (int v = 0; v < videos.Count; v++)
            outcomes[v] ??= await GuardAsync(videos[v].Ordinal, videos[v].Entry, () => DecodeAloneAsync(plans[v]!, ct));
        return outcomes!;
    }

    /// <summary>Decoded frames (RGB24, in the scratch folder) one shared ffmpeg run may hold.</summary>
    public const long SharedRunMaxBytes = 256L << 20;

    // Consecutive groups of the sharing videos whose decoded frames fit in one run's scratch budget.
    private IEnumerable<List<int>> SharedRuns(List<int> sharing, Plan?[] plans)
    {
        var run = new List<int>();
        long bytes = 0;
        foreach (int v in sharing)
        {
            Plan p = plans[v]!;
            (int w, int h) = decoder.OutputSizeOf(p.Info);
            long need = (long)p.Needed.Length * w * h * 3;
            if (run.Count > 0 && bytes + need > SharedRunMaxBytes)
            {
                yield return run;
                run = [];
                bytes = 0;
            }
            run.Add(v);
            bytes += need;
        }
        if (run.Count > 0) yield return run;
    }

    private async Task<VideoOutcome> GuardAsync(int ordinal, VideoEntry entry, Func<Task<IReadOnlyList<ShardRow>>> rows)
    {
        try
        {
            return new VideoOutcome(ordinal, entry, await rows(), null);
        }
        catch (VideoInputException e)
        {
            string reason = e.IsTransient ? $"{e.Reason} (still failing after {Retries} retries)" : e.Reason;
            return Quarantine(ordinal, entry, e.Stage, reason);
        }
        catch (TimeoutRejectedException)
        {
            return Quarantine(ordinal, entry, "decode", $"timed out {Retries + 1} times");
        }
        catch (JpegException e)
        {
            return Quarantine(ordinal, entry, "encode", e.Message);
        }
    }

    private Task<(int Width, int Height)> DecodeToJpegAsync(VideoInfo info, int[] needed, Dictionary<int, byte[]> jpegs, CancellationToken ct) =>
        resilience.ExecuteAsync(async t =>
        {
            using var encoder = new JpegEncoder(jpegQuality);
            (int width, int height) = decoder.OutputSizeOf(info);
            return await decoder.DecodeEachAsync(info, needed, (index, rgb) => jpegs[index] = encoder.Encode(rgb, width, height), t);
        }, ct).AsTask();

    private Task<VideoInfo> ProbeAsync(VideoProbe with, string path, CancellationToken ct) =>
        resilience.ExecuteAsync(async t => await with.ProbeAsync(path, t), ct).AsTask();

    private (List<(SampledClip clip, SampledFrames frames)> chosen, int[] needed) Sample(VideoEntry entry, VideoInfo info)
    {
        IReadOnlyList<SampledClip> sampled = clips.Sample(entry.VideoId, info.FrameCount);
        var chosen = sampled.Select(c => (clip: c, frames: frames.Sample(entry.VideoId, c))).ToList();
        int[] needed = chosen.SelectMany(c => c.clip.FrameIndices).Distinct().Order().ToArray();
        return (chosen, needed);
    }

    // Frames a seek would skip (it lands SeekMargin before the first needed frame) times their size.
    private bool SeekPays(VideoInfo info, int firstFrame)
    {
        double skippedFrames = firstFrame - seekMarginSeconds * info.Fps;
        return skippedFrames * info.Width * info.Height > SeekPaysAbovePixels;
    }

    private static VideoOutcome Quarantine(int ordinal, VideoEntry entry, string stage, string reason) =>
        new(ordinal, entry, [], new QuarantineEntry(entry.Path, entry.VideoId, stage, reason));

    // A probed video, its sampled clips and frames, and the distinct source frames they need (sorted).
    private sealed record Plan(VideoEntry Entry, VideoInfo Info, List<(SampledClip clip, SampledFrames frames)> Chosen, int[] Needed);

    private async Task<Plan> PlanAsync(VideoEntry entry, CancellationToken ct)
    {
        VideoInfo info = index.TryRead(entry.Path) ?? await ProbeAsync(probe, entry.Path, ct);
        var (chosen, needed) = Sample(entry, info);
        if (!info.TimingFromFfprobe && SeekPays(info, needed[0]))
        {
            // The index's frame count stays (the clips were sampled from it); ffprobe supplies the timestamps.
            VideoInfo timing = await ProbeAsync(timingProbe, entry.Path, ct);
            info = timing with { FrameCount = info.FrameCount, FrameCountSource = info.FrameCountSource };
        }
        return new Plan(entry, info, chosen, needed);
    }

    private async Task<IReadOnlyList<ShardRow>> DecodeAloneAsync(Plan plan, CancellationToken ct)
    {
        // Each distinct source frame is encoded once, as it arrives from ffmpeg, whatever number of clips and
        // sampled frames use it; no decoded frame is kept.
        var jpegs = new Dictionary<int, byte[]>();
        (int Width, int Height) size;
        try
        {
            size = await DecodeToJpegAsync(plan.Info, plan.Needed, jpegs, ct);
        }
        catch (VideoInputException e) when (plan.Info.FrameCountSource == FrameCountSource.Packets && !e.IsTransient)
        {
            // More packets than frames: count the frames by decoding, as the index could not, and sample again.
            VideoInfo counted = await ProbeAsync(probe, plan.Entry.Path, ct);
            var (chosen, needed) = Sample(plan.Entry, counted);
            plan = new Plan(plan.Entry, counted, chosen, needed);
            jpegs.Clear();
            size = await DecodeToJpegAsync(plan.Info, plan.Needed, jpegs, ct);
        }
        return Rows(plan, size, jpegs);
    }

    private IReadOnlyList<ShardRow> Rows(Plan plan, (int Width, int Height) size, Dictionary<int, byte[]> jpegs) =>
        plan.Chosen.Select(c => new ShardRow
        {
            VideoId = plan.Entry.VideoId,
            ClipIndex = c.clip.ClipIndex,
            Label = plan.Entry.Label,
            LabelName = plan.Entry.LabelName,
            Split = plan.Entry.Split,
            SourcePath = plan.Entry.Path,
            Fps = plan.Info.Fps,
            Width = size.Width,
            Height = size.Height,
            NumVideoFrames = (int)plan.Info.FrameCount,
            ClipStart = c.clip.FirstFrame,
            Stride = stride,
            FrameIndices = c.clip.FrameIndices,
            Padded = c.clip.Padded,
            Frames = c.clip.FrameIndices.Select(k => jpegs[k]).ToList(),
            SampledFrameIndices = c.frames.SourceFrameIndices,
            SampledPositions = c.frames.ClipPositions,
            SampledFrames = c.frames.SourceFrameIndices.Select(k => jpegs[k]).ToList(),
        }).ToList();
}
