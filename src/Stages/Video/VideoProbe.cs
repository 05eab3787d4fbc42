using System.Text;

namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Probe stage: reads a video's metadata with ffprobe. Files that cannot be used raise
/// <see cref="VideoInputException"/> (stage "probe") with a <see cref="VideoFailure"/> that says why.
/// Safe to call from several threads at once: every call starts its own ffprobe.
/// </summary>
public sealed class VideoProbe
{
    private const int MaxJsonChars = 4 << 20;
    private readonly VideoProbeOptions _options;

    public VideoProbe(VideoProbeOptions? options = null) => _options = options ?? new VideoProbeOptions();

    /// <exception cref="VideoInputException">The file is missing, empty, not a video, has no video stream,
    /// is truncated or corrupt (permanent), or ffprobe timed out or was killed (transient).</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; ffprobe is killed.</exception>
    /// <exception cref="InvalidOperationException">ffprobe itself is missing.</exception>
    public async Task<VideoInfo> ProbeAsync(string path, CancellationToken ct = default)
    {
        CheckFile(path);
        string input = ToolInput(path);

        (int exit, string json, string stderr) = await RunAsync(path,
            ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", "-i", input], ct).ConfigureAwait(false);
        if (exit != 0) throw ProbeFailed(path, stderr);

        VideoInfo info = FfprobeJson.Parse(path, json, _options.MaxDimension);
        if (info.FrameCount > 0) return info;

        if (!_options.CountFramesWhenMissing)
        {
            long estimate = (long)Math.Round(info.DurationSeconds * info.Fps);
            if (estimate <= 0)
                throw new VideoInputException(path, VideoStageNames.Probe, VideoFailure.Corrupt, "the header gives neither a frame count nor a duration");
            return info with { FrameCount = estimate, FrameCountSource = FrameCountSource.Estimated };
        }

        return await CountFramesAsync(info, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Counts the frames of <paramref name="info"/>'s stream by decoding every one (<c>ffprobe -count_frames</c>,
    /// <c>nb_read_frames</c>), whatever the header says: the count a decode from the start reaches, used when the
    /// container's own count proved wrong (a decode ended before it, or went past it). Returns <paramref name="info"/>
    /// with that count and <see cref="FrameCountSource.Counted"/>.
    /// </summary>
    /// <exception cref="VideoInputException">No frame decodes (Corrupt), ffprobe fails, or it timed out or was killed (transient).</exception>
    public async Task<VideoInfo> CountFramesAsync(VideoInfo info, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        string path = info.Path;
        CheckFile(path);
        (int exit, string json, string stderr) = await RunAsync(path,
            ["-v", "error", "-threads", "1", "-count_frames", "-select_streams", info.StreamSpecifier,
             "-show_entries", "stream=nb_read_frames", "-print_format", "json", "-i", ToolInput(path)], ct).ConfigureAwait(false);
        if (exit != 0) throw ProbeFailed(path, stderr);
        long counted = FfprobeJson.ParseCountedFrames(json);
        if (counted <= 0)
            throw new VideoInputException(path, VideoStageNames.Probe, VideoFailure.Corrupt, "no frame of the video stream could be decoded", stderr);
        return info with { FrameCount = counted, FrameCountSource = FrameCountSource.Counted };
    }

    /// <summary>The file checks that need no tool: missing and zero-byte files.</summary>
    internal static void CheckFile(string path, string stage = VideoStageNames.Probe)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
            throw new VideoInputException(path, stage, VideoFailure.FileMissing, Directory.Exists(path) ? "the path is a folder, not a file" : "the file does not exist");
        if (file.Length == 0)
            throw new VideoInputException(path, stage, VideoFailure.EmptyFile, "the file is empty (0 bytes)");
        try
        {
            using var _ = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new VideoInputException(path, stage, VideoFailure.Unreadable, $"the file cannot be opened for reading: {e.Message}", inner: e);
        }
    }

    /// <summary>The path as ffmpeg/ffprobe input: absolute and prefixed with the file protocol, so a name that
    /// starts with '-' or looks like a protocol ("concat:", "http:") is read as a plain local file.</summary>
    internal static string ToolInput(string path) => "file:" + Path.GetFullPath(path);

    private async Task<(int exit, string stdout, string stderr)> RunAsync(string path, string[] args, CancellationToken ct)
    {
        using var tool = ToolProcess.Start(_options.FfprobePath, args, _options.Timeout, ct);
        string stdout;
        using (var reader = new StreamReader(tool.Stdout, Encoding.UTF8))
            stdout = await ReadBoundedAsync(reader).ConfigureAwait(false);
        int exit = await tool.WaitForExitAsync().ConfigureAwait(false);
        tool.ThrowIfStopped(path, VideoStageNames.Probe, _options.Timeout);
        if (tool.EndedBySignal(exit))
            throw new VideoInputException(path, VideoStageNames.Probe, VideoFailure.Interrupted, $"ffprobe was ended by a signal (exit code {exit})", tool.StderrTail);
        return (exit, stdout, tool.StderrTail);
    }

    private static async Task<string> ReadBoundedAsync(StreamReader reader)
    {
        var sb = new StringBuilder();
        var buffer = new char[16384];
        int n;
        while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            if (sb.Length + n > MaxJsonChars) throw new InvalidDataException($"ffprobe wrote more than {MaxJsonChars} characters");
            sb.Append(buffer, 0, n);
        }
        return sb.ToString();
    }

    // ffprobe failed: a file without a container signature is not a video; one with a signature
    // is truncated when ffprobe says the data ended early, corrupt otherwise.
    private static VideoInputException ProbeFailed(string path, string stderr)
    {
        string? container = ContainerSignature.DetectFile(path);
        string firstError = FirstLine(stderr);
        if (container is null)
            return new VideoInputException(path, VideoStageNames.Probe, VideoFailure.NotAVideo,
                $"no known video container signature and ffprobe cannot read it ({firstError})", stderr);
        if (SaysTruncated(stderr))
            return new VideoInputException(path, VideoStageNames.Probe, VideoFailure.Truncated,
                $"the {container} data ends early ({firstError})", stderr);
        return new VideoInputException(path, VideoStageNames.Probe, VideoFailure.Corrupt,
            $"ffprobe cannot read this {container} file ({firstError})", stderr);
    }

    /// <summary>ffmpeg's wording when data ends before the container or stream says it should.</summary>
    internal static bool SaysTruncated(string stderr)
        => stderr.Contains("moov atom not found", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("partial file", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("ended prematurely", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("end of file", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("truncat", StringComparison.OrdinalIgnoreCase);

    private static string FirstLine(string text)
    {
        string line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";
        // ffmpeg prefixes messages with "[demuxer @ 0x55...] " and the input name; keep the message.
        int bracket = line.IndexOf("] ", StringComparison.Ordinal);
        return bracket >= 0 && line.StartsWith('[') ? line[(bracket + 2)..] : line;
    }
}
