namespace CrossVideoMAE.Stages.SampleData;

/// <summary>Container plus encoder settings for a generated video. All runs are single-threaded and
/// bit-exact so the same seed writes the same bytes.</summary>
internal sealed record VideoFormat(string Extension, string Container, string Codec, IReadOnlyList<string> EncoderArgs)
{
    private static readonly string[] Common = ["-threads", "1", "-an", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact"];

    /// <summary>mp4 with H.264 (libx264) when this ffmpeg has it, else MPEG-4 part 2; "fast start" like downloaded clips.</summary>
    public static VideoFormat Mp4(bool hasX264) => hasX264
        ? new(".mp4", "mp4", "h264", [.. Common, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart"])
        : new(".mp4", "mp4", "mpeg4", [.. Common, "-c:v", "mpeg4", "-q:v", "4", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]);

    /// <summary>webm with VP9 in its fastest real-time mode (null when libvpx-vp9 is missing).</summary>
    public static VideoFormat? Webm(bool hasVp9) => hasVp9
        ? new(".webm", "webm", "vp9", [.. Common, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "0", "-crf", "35", "-pix_fmt", "yuv420p"])
        : null;

    /// <summary>avi with MPEG-4 part 2, the UCF101/HMDB51 style.</summary>
    public static VideoFormat Avi() => new(".avi", "avi", "mpeg4", [.. Common, "-c:v", "mpeg4", "-q:v", "4", "-pix_fmt", "yuv420p"]);
}
