namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// What a container's own header and index say about its first video track, read without a tool.
/// <see cref="FrameCount"/> is the number of video samples (mp4, avi) or blocks (Matroska/WebM),
/// each of which ffmpeg decodes to one shown frame.
/// </summary>
internal sealed record IndexedVideo(
    string Container,
    string Codec,
    int Width,
    int Height,
    long FrameCount,
    FrameCountSource FrameCountSource,
    Rational AverageFrameRate,
    Rational NominalFrameRate,
    double DurationSeconds);
