using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Video;

namespace CrossVideoMAE.Stages.Clips;

/// <summary>
/// Decode stage: decodes the frames each plan needs, once each, and encodes every one to JPEG as it arrives from
/// ffmpeg, so no decoded frame is kept (a 342x256 RGB frame is 263 KB, its JPEG about a tenth of that).
/// <para>The videos of a group whose decode needs no seek share one ffmpeg run
/// (<see cref="VideoDecoder.DecodeSharedAsync"/>), at most <see cref="SharedRunMaxBytes"/> of decoded frames per run.
/// A video the shared run did not finish, and one that seeks, is decoded alone, with the retries and the
/// error reporting of a single decode, so the result is the same as one run per video gives.</para>
/// <para>Containers that lie about their frame count, whatever the container: when a decode ends before a requested
/// frame (the container over-reports: an AVI whose header outlives its cut data, an mp4 whose sample table lists
/// samples its media data lacks, a WebM block that does not decode), or finds a frame past the count
/// (<see cref="VideoDecoderOptions.PastEndCheckFrames"/>: the container under-reports), the frames are counted by
/// decoding, the video is sampled again from the frames that exist, and decoded again. A video is quarantined
/// only when no frame decodes, or the second decode fails too.</para>
/// Safe to call from several threads at once.
/// </summary>
public sealed class ClipFrameDecoder
{
    /// <summary>Decoded frames (RGB24, in the scratch folder) one shared ffmpeg run may hold.</summary>
    public const long SharedRunMaxBytes = 256L << 20;

    /// <summary>How close (in frames) to the claimed end the last needed frame must lie for the decode to check
    /// whether the stream goes on past it: the check then costs at most this many frames of decoding more.</summary>
    public const int PastEndCheckFrames = 12;

    private readonly VideoDecoder decoder;
    private readonly ClipPlanner planner;
    private readonly StageRetry retry;
    private readonly int jpegQuality;
    private readonly string scratchDir;

    internal ClipFrameDecoder(VideoDecoder decoder, ClipPlanner planner, StageRetry retry, int jpegQuality, string scratchDir)
    {
        this.decoder = decoder;
        this.planner = planner;
        this.retry = retry;
        this.jpegQuality = jpegQuality;
        this.scratchDir = scratchDir;
    }

    /// <summary>Decodes a group of probed videos; the result is in the same order. Probe failures pass through.</summary>
    public async Task<IReadOnlyList<DecodedVideo>> DecodeAsync(IReadOnlyList<ProbedVideo> videos, CancellationToken ct)
    {
        var decoded = new DecodedVideo?[videos.Count];
        for (int v = 0; v < videos.Count; v++)
            if (videos[v].Plan is null) decoded[v] = new DecodedVideo(videos[v].Ordinal, videos[v].Entry, null, null, videos[v].Quarantined);

        List<int> sharing = Enumerable.Range(0, videos.Count)
            .Where(v => videos[v].Plan is { } p && decoder.CanShareRun(p.Info, p.Needed)).ToList();
        foreach (List<int> run in SharedRuns(sharing, videos))
        {
            if (run.Count < 2) continue;
            var jpegs = run.Select(_ => new Dictionary<int, byte[]>()).ToList();
            using var encoder = new JpegEncoder(jpegQuality);
            var requests = run.Select(v => new DecodeRequest(videos[v].Plan!.Info, videos[v].Plan!.Needed)).ToList();
            var sizes = requests.Select(q => decoder.OutputSizeOf(q.Video)).ToArray();
            bool[] done = await decoder.DecodeSharedAsync(requests, scratchDir,
                (r, index, rgb) => jpegs[r][index] = encoder.Encode(rgb, sizes[r].Width, sizes[r].Height), ct);
            for (int r = 0; r < run.Count; r++)
                if (done[r])
                {
                    ProbedVideo p = videos[run[r]];
                    decoded[run[r]] = new DecodedVideo(p.Ordinal, p.Entry, p.Plan, new EncodedFrames(sizes[r].Width, sizes[r].Height, jpegs[r]), null);
                }
        }

        for (int v = 0; v < videos.Count; v++)
            decoded[v] ??= await DecodeOneAsync(videos[v], ct);
        return decoded!;
    }

    /// <summary>Decodes one probed video alone, with the recount for a lying frame count.</summary>
    public async Task<DecodedVideo> DecodeOneAsync(ProbedVideo video, CancellationToken ct)
    {
        if (video.Plan is null) return new DecodedVideo(video.Ordinal, video.Entry, null, null, video.Quarantined);
        ClipPlan plan = video.Plan;
        var (frames, quarantined) = await retry.GuardAsync(video.Entry, async () =>
        {
            try
            {
                return await EncodeAsync(plan, ct);
            }
            catch (VideoInputException e) when (!e.IsTransient && plan.Info.FrameCountSource != FrameCountSource.Counted
                                                && e.Failure is VideoFailure.Truncated or VideoFailure.Corrupt or VideoFailure.UnderCounted)
            {
                plan = planner.Resample(plan, await CountAfterAsync(plan, e, ct));
                return await EncodeAsync(plan, ct);
            }
        });
        return new DecodedVideo(video.Ordinal, video.Entry, plan, frames, quarantined);
    }

    // The frames counted by decoding after `failed` showed the container's count wrong; when none decodes, the decode
    // failure names both findings.
    private async Task<VideoInfo> CountAfterAsync(ClipPlan plan, VideoInputException failed, CancellationToken ct)
    {
        try
        {
            return await planner.CountFramesAsync(plan, ct);
        }
        catch (VideoInputException c) when (!c.IsTransient)
        {
            throw new VideoInputException(plan.Info.Path, VideoStageNames.Decode, failed.Failure,
                $"{failed.Reason}; counting the frames by decoding: {c.Reason}", c.ToolOutput ?? failed.ToolOutput);
        }
    }

    private Task<EncodedFrames> EncodeAsync(ClipPlan plan, CancellationToken ct) =>
        retry.RunAsync(async t =>
        {
            var jpegs = new Dictionary<int, byte[]>();
            using var encoder = new JpegEncoder(jpegQuality);
            (int width, int height) = decoder.OutputSizeOf(plan.Info);
            await decoder.DecodeEachAsync(plan.Info, plan.Needed, (index, rgb) => jpegs[index] = encoder.Encode(rgb, width, height), t);
            return new EncodedFrames(width, height, jpegs);
        }, ct);

    // Consecutive groups of the sharing videos whose decoded frames fit in one run's scratch budget.
    private IEnumerable<List<int>> SharedRuns(List<int> sharing, IReadOnlyList<ProbedVideo> videos)
    {
        var run = new List<int>();
        long bytes = 0;
        foreach (int v in sharing)
        {
            ClipPlan p = videos[v].Plan!;
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
}
