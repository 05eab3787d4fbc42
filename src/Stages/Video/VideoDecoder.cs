using System.Buffers;
using System.Globalization;

namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Decode stage: runs ffmpeg to decode chosen source frames of a probed video as packed RGB24,
/// resized so the shorter side is <see cref="VideoDecoderOptions.ShortSide"/>.
/// <para>Frame k means the k-th frame in presentation order (0-based), counted over every frame
/// the decoder outputs. Variable-frame-rate videos are decoded from the start and selected by
/// that count; constant-frame-rate videos may seek close to the first frame and select by
/// timestamp, which is the same frame (see <see cref="FrameSelectFilter"/>). ffmpeg applies the
/// display rotation itself, so the output size is computed from the display size.</para>
/// Safe to call from several threads at once: every call starts its own ffmpeg.
/// </summary>
public sealed partial class VideoDecoder
{
    /// <summary>Receives one decoded frame: its source index and its pixels (valid only during the call).</summary>
    public delegate void FrameHandler(int sourceIndex, ReadOnlySpan<byte> rgb24);

    private readonly VideoDecoderOptions _options;

    public VideoDecoder(VideoDecoderOptions? options = null)
    {
        _options = options ?? new VideoDecoderOptions();
        if (_options.Threads < 1) throw new ArgumentOutOfRangeException(nameof(options), "Threads must be at least 1");
        if (_options.SeekMarginSeconds < 0) throw new ArgumentOutOfRangeException(nameof(options), "SeekMarginSeconds must not be negative");
        if (_options.PastEndCheckFrames < 0) throw new ArgumentOutOfRangeException(nameof(options), "PastEndCheckFrames must not be negative");
    }

    /// <summary>The (width, height) every frame of <paramref name="video"/> will have.</summary>
    public (int Width, int Height) OutputSizeOf(VideoInfo video)
        => OutputSize.Scale(video.DisplayWidth, video.DisplayHeight, _options.ShortSide);

    /// <summary>Decodes <paramref name="frameIndices"/> (any order, repeats allowed) and returns them in that order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative or not below <see cref="VideoInfo.FrameCount"/>.</exception>
    /// <exception cref="VideoInputException">The stream ends before a requested frame (Truncated) or ffmpeg fails (stage "decode");
    /// the past-end check found a frame past the frame count (UnderCounted); transient when ffmpeg timed out or was killed.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; ffmpeg is killed.</exception>
    public async Task<DecodedFrames> DecodeAsync(VideoInfo video, IReadOnlyList<int> frameIndices, CancellationToken ct = default)
    {
        var byIndex = new Dictionary<int, byte[]>();
        (int width, int height) = await DecodeEachAsync(video, frameIndices, (index, frame) => byIndex[index] = frame.ToArray(), ct).ConfigureAwait(false);
        var ordered = frameIndices.Select(i => byIndex[i]).ToArray();
        return new DecodedFrames(width, height, frameIndices.ToArray(), ordered);
    }

    /// <summary>
    /// Decodes the distinct frames of <paramref name="frameIndices"/> and hands each to <paramref name="onFrame"/>
    /// (source index, packed RGB24 <c>[Height, Width, 3]</c>) in increasing index order, as it arrives. The span
    /// is valid only during the call: one pooled buffer serves every frame, so a caller that encodes each frame at
    /// once allocates no frame memory. When the decode fails, frames already handed over stay handed over.
    /// Returns the frame size. Exceptions as for <see cref="DecodeAsync"/>.
    /// </summary>
    public async Task<(int Width, int Height)> DecodeEachAsync(VideoInfo video, IReadOnlyList<int> frameIndices,
        FrameHandler onFrame, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(onFrame);
        CheckFrames(video, frameIndices, nameof(frameIndices));
        VideoProbe.CheckFile(video.Path, VideoStageNames.Decode);

        int[] wanted = frameIndices.Distinct().Order().ToArray();
        int[] selected = WithPastEndCheck(video, wanted);
        (int width, int height) = OutputSizeOf(video);
        int frameBytes = checked(width * height * 3);

        byte[] buffer = ArrayPool<byte>.Shared.Rent(frameBytes);
        try
        {
            int got = 0;
            int exit;
            string stderr;
            using (var tool = ToolProcess.Start(_options.FfmpegPath, Arguments(video, selected, width, height), _options.Timeout, ct))
            {
                Stream stdout = tool.Stdout;
                while (got < selected.Length)
                {
                    int n = await stdout.ReadAtLeastAsync(buffer.AsMemory(0, frameBytes), frameBytes, throwOnEndOfStream: false, CancellationToken.None).ConfigureAwait(false);
                    if (n < frameBytes) break;
                    if (got < wanted.Length) onFrame(wanted[got], buffer.AsSpan(0, frameBytes));
                    got++;
                }
                exit = await tool.WaitForExitAsync().ConfigureAwait(false);
                tool.ThrowIfStopped(video.Path, VideoStageNames.Decode, _options.Timeout);
                stderr = tool.StderrTail;
                if (got < wanted.Length && tool.EndedBySignal(exit))
                    throw new VideoInputException(video.Path, VideoStageNames.Decode, VideoFailure.Interrupted,
                        $"ffmpeg was ended by a signal (exit code {exit}) after {got} of {wanted.Length} frames", stderr);
            }
            if (got < wanted.Length) throw MissingFrames(video, wanted, got, exit, stderr);
            if (got > wanted.Length)
                throw new VideoInputException(video.Path, VideoStageNames.Decode, VideoFailure.UnderCounted,
                    $"frame {video.FrameCount} decodes, past the {Describe(video.FrameCountSource)} frame count {video.FrameCount}", stderr);
            return (width, height);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // At least one index, every index a frame of the video.
    private static void CheckFrames(VideoInfo video, IReadOnlyList<int> frameIndices, string paramName)
    {
        if (frameIndices.Count == 0) throw new ArgumentException($"at least one frame index of '{video.Path}' is needed", paramName);
        foreach (int i in frameIndices)
            if (i < 0 || i >= video.FrameCount)
                throw new ArgumentOutOfRangeException(paramName, $"frame {i} is outside 0..{video.FrameCount - 1} of '{video.Path}'");
    }

    /// <summary>The ffmpeg arguments <see cref="DecodeAsync"/> uses for these frames (for logs and tests).</summary>
    public IReadOnlyList<string> FfmpegArguments(VideoInfo video, IReadOnlyList<int> frameIndices)
    {
        (int width, int height) = OutputSizeOf(video);
        return Arguments(video, WithPastEndCheck(video, frameIndices.Distinct().Order().ToArray()), width, height);
    }

    /// <summary>
    /// The frames to select: <paramref name="wanted"/> (sorted), plus frame <see cref="VideoInfo.FrameCount"/>, one past the
    /// claimed end, when the past-end check is cheap (the last wanted frame lies fewer than
    /// <see cref="VideoDecoderOptions.PastEndCheckFrames"/> frames before that end) and the count did not come from decoding.
    /// If that frame arrives, the container under-reports its frames.
    /// </summary>
    internal int[] WithPastEndCheck(VideoInfo video, int[] wanted) =>
        _options.PastEndCheckFrames > 0 && video.FrameCountSource != FrameCountSource.Counted && video.FrameCount < int.MaxValue
        && video.FrameCount - wanted[^1] <= _options.PastEndCheckFrames
            ? [.. wanted, (int)video.FrameCount]
            : wanted;

    private static string Describe(FrameCountSource source) => source switch
    {
        FrameCountSource.Header => "header's",
        FrameCountSource.Packets => "packet",
        FrameCountSource.Estimated => "estimated",
        _ => "counted",
    };

    private List<string> Arguments(VideoInfo video, int[] wanted, int width, int height)
    {
        var args = new List<string> { "-nostdin", "-hide_banner", "-v", "error" };
        bool seek = Seeks(video, wanted);
        args.AddRange(InputArguments(video, wanted, seek));
        args.AddRange(["-filter_threads", _options.Threads.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(OutputArguments(video, "0", wanted, width, height, seek));
        args.Add("pipe:1");
        return args;
    }

    /// <summary>True when the decode of <paramref name="wanted"/> (sorted) starts with a fast seek.</summary>
    internal bool Seeks(VideoInfo video, int[] wanted) =>
        _options.FastSeek && video.TimingFromFfprobe && !video.IsVariableFrameRate && video.RealFrameRate.IsValid
        && wanted[0] / video.Fps > _options.SeekMarginSeconds;

    // The options before "-i" and the input: decoder threads, and the seek (with -copyts, so the select
    // filter sees the file's own timestamps) when there is one.
    internal List<string> InputArguments(VideoInfo video, int[] wanted, bool seek)
    {
        var args = new List<string> { "-threads", _options.Threads.ToString(CultureInfo.InvariantCulture) };
        if (seek)
        {
            double seekTo = wanted[0] / video.Fps - _options.SeekMarginSeconds;
            args.AddRange(["-ss", seekTo.ToString("0.######", CultureInfo.InvariantCulture), "-copyts"]);
        }
        args.AddRange(["-i", VideoProbe.ToolInput(video.Path)]);
        return args;
    }

    // The options of one rawvideo output fed by input number `input`, up to (not including) its destination.
    internal List<string> OutputArguments(VideoInfo video, string input, int[] wanted, int width, int height, bool seek)
    {
        string filter = seek ? FrameSelectFilter.ByTimestamp(wanted, video.StartTime, video.RealFrameRate) : FrameSelectFilter.ByFrameNumber(wanted);
        if (width != video.DisplayWidth || height != video.DisplayHeight)
            filter += $",scale={width}:{height}:flags={_options.ScaleFlags}";
        return
        [
            "-map", input + ":" + video.StreamSpecifier,
            "-an", "-sn", "-dn",
            "-vf", filter,
            "-fps_mode", "passthrough",            // one output frame per selected frame: no duplicates, no drops
            "-frames:v", wanted.Length.ToString(CultureInfo.InvariantCulture),  // stop once the last one is out
            "-pix_fmt", "rgb24", "-f", "rawvideo",
        ];
    }

    private static VideoInputException MissingFrames(VideoInfo video, int[] wanted, int got, int exit, string stderr)
    {
        string which = $"got {got} of {wanted.Length} requested frames; frame {wanted[got]} was not reached ({Describe(video.FrameCountSource)} frame count {video.FrameCount})";
        if (exit != 0 && !VideoProbe.SaysTruncated(stderr))
            return new VideoInputException(video.Path, VideoStageNames.Decode, VideoFailure.Corrupt, $"ffmpeg failed with exit code {exit}: {which}", stderr);
        return new VideoInputException(video.Path, VideoStageNames.Decode, VideoFailure.Truncated, $"the video stream ends early: {which}", stderr);
    }
}
