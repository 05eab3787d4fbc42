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
/// </summary>
public sealed class ClipExtractor
{
    private readonly VideoProbe probe;
    private readonly VideoDecoder decoder;
    private readonly ClipSampler clips;
    private readonly FrameSampler frames;
    private readonly int jpegQuality;
    private readonly int stride;
    private readonly ResiliencePipeline resilience;

    public ClipExtractor(PrepareOptions o)
    {
        probe = new VideoProbe(new VideoProbeOptions { Timeout = o.StageTimeout });
        decoder = new VideoDecoder(new VideoDecoderOptions { ShortSide = o.ShortSide, Timeout = o.StageTimeout });
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

    private static VideoOutcome Quarantine(int ordinal, VideoEntry entry, string stage, string reason) =>
        new(ordinal, entry, [], new QuarantineEntry(entry.Path, entry.VideoId, stage, reason));

    private async Task<IReadOnlyList<ShardRow>> RowsAsync(VideoEntry entry, CancellationToken ct)
    {
        VideoInfo info = await resilience.ExecuteAsync(async t => await probe.ProbeAsync(entry.Path, t), ct);
        IReadOnlyList<SampledClip> sampled = clips.Sample(entry.VideoId, info.FrameCount);
        var chosen = sampled.Select(c => (clip: c, frames: frames.Sample(entry.VideoId, c))).ToList();

        int[] needed = chosen.SelectMany(c => c.clip.FrameIndices).Distinct().Order().ToArray();
        DecodedFrames decoded = await resilience.ExecuteAsync(async t => await decoder.DecodeAsync(info, needed, t), ct);

        // Each distinct source frame is encoded once, whatever number of clips and sampled frames use it.
        var jpegs = new Dictionary<int, byte[]>();
        using (var encoder = new JpegEncoder(jpegQuality))
            for (int i = 0; i < needed.Length; i++)
                jpegs[needed[i]] = encoder.Encode(decoded.Frames[i], decoded.Width, decoded.Height);

        return chosen.Select(c => new ShardRow
        {
            VideoId = entry.VideoId,
            ClipIndex = c.clip.ClipIndex,
            Label = entry.Label,
            LabelName = entry.LabelName,
            Split = entry.Split,
            SourcePath = entry.Path,
            Fps = info.Fps,
            Width = decoded.Width,
            Height = decoded.Height,
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
