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
/// so most videos cost one ffmpeg run, the decode. ffprobe runs only when the index cannot be read
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

    public async Task<VideoOutcome> ExtractAsync(int ordinal, VideoEntry entry, CancellationToken ct)
    {
        try
        {
            return new VideoOutcome(ordinal, entry, await RowsAsync(entry, ct), null);
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

    private async Task<IReadOnlyList<ShardRow>> RowsAsync(VideoEntry entry, CancellationToken ct)
    {
        VideoInfo info = index.TryRead(entry.Path) ?? await ProbeAsync(probe, entry.Path, ct);
        var (chosen, needed) = Sample(entry, info);
        if (!info.TimingFromFfprobe && SeekPays(info, needed[0]))
        {
            // The index's frame count stays (the clips were sampled from it); ffprobe supplies the timestamps.
            VideoInfo timing = await ProbeAsync(timingProbe, entry.Path, ct);
            info = timing with { FrameCount = info.FrameCount, FrameCountSource = info.FrameCountSource };
        }

        // Each distinct source frame is encoded once, as it arrives from ffmpeg, whatever number of clips and
        // sampled frames use it; no decoded frame is kept.
        var jpegs = new Dictionary<int, byte[]>();
        (int Width, int Height) size;
        try
        {
            size = await DecodeToJpegAsync(info, needed, jpegs, ct);
        }
        catch (VideoInputException e) when (info.FrameCountSource == FrameCountSource.Packets && !e.IsTransient)
        {
            // More packets than frames: count the frames by decoding, as the index could not, and sample again.
            info = await ProbeAsync(probe, entry.Path, ct);
            (chosen, needed) = Sample(entry, info);
            jpegs.Clear();
            size = await DecodeToJpegAsync(info, needed, jpegs, ct);
        }

        return chosen.Select(c => new ShardRow
        {
            VideoId = entry.VideoId,
            ClipIndex = c.clip.ClipIndex,
            Label = entry.Label,
            LabelName = entry.LabelName,
            Split = entry.Split,
            SourcePath = entry.Path,
            Fps = info.Fps,
            Width = size.Width,
            Height = size.Height,
            NumVideoFrames = (int)info.FrameCount,
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
}
