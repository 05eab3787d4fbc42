namespace CrossVideoMAE.Stages.Video;

public sealed record VideoProbeOptions
{
    public string FfprobePath { get; init; } = "ffprobe";
    /// <summary>Time limit for one ffprobe run (the frame count fallback is a second run with the same limit).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>When the header has no frame count (webm, mkv), count frames by decoding them
    /// (<c>-count_frames</c>); when false, estimate duration x fps instead.</summary>
    public bool CountFramesWhenMissing { get; init; } = true;
    /// <summary>Largest width or height accepted; larger streams are reported as corrupt.</summary>
    public int MaxDimension { get; init; } = 16384;
}
