namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// What <see cref="VideoProbe"/> learned about one video: the first video stream that is not
/// cover art. <see cref="Width"/>/<see cref="Height"/> are the stored (coded) size;
/// <see cref="DisplayWidth"/>/<see cref="DisplayHeight"/> are the size after the display
/// rotation, which is what ffmpeg outputs because it applies the rotation itself (autorotate).
/// </summary>
public sealed record VideoInfo
{
    public required string Path { get; init; }
    /// <summary>ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi".</summary>
    public required string Container { get; init; }
    /// <summary>Index of the chosen stream in the file (used as <c>-map 0:INDEX</c>); null when not known (read by
    /// <see cref="ContainerIndexReader"/>): the first video stream that is not a picture is meant (<c>0:V:0</c>).</summary>
    public required int? StreamIndex { get; init; }
    /// <summary>ffprobe's codec_name, e.g. "h264", "vp9", "mpeg4".</summary>
    public required string Codec { get; init; }
    public required string PixelFormat { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    /// <summary>Clockwise degrees a player turns the stored picture to show it: 0, 90, 180 or 270
    /// (other angles are kept as found). From the display matrix (ffprobe's counter-clockwise
    /// <c>rotation</c>, negated) or the legacy <c>rotate</c> tag (already clockwise).</summary>
    public required int Rotation { get; init; }
    public required double DurationSeconds { get; init; }
    public required long FrameCount { get; init; }
    public required FrameCountSource FrameCountSource { get; init; }
    /// <summary>ffprobe avg_frame_rate: frames / duration.</summary>
    public required Rational AverageFrameRate { get; init; }
    /// <summary>ffprobe r_frame_rate: the lowest rate that represents every timestamp.</summary>
    public required Rational RealFrameRate { get; init; }
    /// <summary>The stream's first timestamp in seconds (start_time), 0 when unknown.</summary>
    public required double StartTime { get; init; }
    /// <summary>True when <see cref="StartTime"/> and <see cref="RealFrameRate"/> are ffprobe's (the timestamps ffmpeg
    /// will see), which fast seeking needs; false for <see cref="ContainerIndexReader"/>'s results.</summary>
    public bool TimingFromFfprobe { get; init; } = true;

    /// <summary>The stream as an ffmpeg stream specifier within its input: the index, else the first video
    /// stream that is not an attached picture.</summary>
    public string StreamSpecifier => StreamIndex is int i ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : "V:0";

    /// <summary>Relative difference between avg_frame_rate and r_frame_rate above which the rate counts as variable.
    /// Small enough that one dropped frame in 10,000 is detected; large enough to ignore rounding in ffprobe's average.</summary>
    public const double VariableRateTolerance = 1e-4;

    /// <summary>avg_frame_rate when known, else r_frame_rate.</summary>
    public double Fps => AverageFrameRate.IsValid ? AverageFrameRate.Value : RealFrameRate.Value;

    /// <summary>True when avg_frame_rate and r_frame_rate differ (or one is unknown): frame timestamps are then
    /// not index/fps, and the decoder selects frames by decode order instead of by time.</summary>
    public bool IsVariableFrameRate => !AverageFrameRate.IsCloseTo(RealFrameRate, VariableRateTolerance);

    /// <summary>True when the display rotation is a quarter turn, so the output swaps width and height.</summary>
    public bool RotationSwapsAxes => Rotation is 90 or 270;

    public int DisplayWidth => RotationSwapsAxes ? Height : Width;
    public int DisplayHeight => RotationSwapsAxes ? Width : Height;
}
