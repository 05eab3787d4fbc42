namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// A video input that a stage could not use. Carries what a quarantine list needs: the file, the
/// stage, a machine-readable <see cref="Failure"/>, a human-readable reason, and the tail of the
/// tool's stderr when a tool was involved. <see cref="IsTransient"/> tells a retry policy whether
/// running the stage again could succeed.
/// </summary>
public sealed class VideoInputException : Exception
{
    public string FilePath { get; }
    public string Stage { get; }
    public VideoFailure Failure { get; }
    public string Reason { get; }
    /// <summary>The last lines ffmpeg/ffprobe wrote to stderr, or null.</summary>
    public string? ToolOutput { get; }

    public bool IsTransient => Failure is VideoFailure.Timeout or VideoFailure.Interrupted;

    public VideoInputException(string filePath, string stage, VideoFailure failure, string reason, string? toolOutput = null, Exception? inner = null)
        : base(FormatMessage(filePath, stage, failure, reason, toolOutput), inner)
    {
        FilePath = filePath;
        Stage = stage;
        Failure = failure;
        Reason = reason;
        ToolOutput = string.IsNullOrWhiteSpace(toolOutput) ? null : toolOutput;
    }

    private static string FormatMessage(string path, string stage, VideoFailure failure, string reason, string? tool)
    {
        string msg = $"{stage} failed for '{path}' ({failure}): {reason}";
        return string.IsNullOrWhiteSpace(tool) ? msg : msg + Environment.NewLine + tool.TrimEnd();
    }
}
