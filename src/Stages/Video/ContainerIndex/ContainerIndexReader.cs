namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Probe without a tool: reads what the container itself records about the first video stream
/// (mp4/mov, avi, Matroska/WebM) in this process, so the common case needs no ffprobe run (each
/// ffmpeg or ffprobe start costs about 0.15 s of CPU here, loading its ~200 libraries).
/// <para>It answers only when it can answer as ffprobe would (same size, frame count and frame rate;
/// tested against ffprobe); for anything else (another container, a cut or malformed index, a
/// rotation, an edit list that hides frames, variable frame durations in mp4) it returns null and the
/// caller runs <see cref="VideoProbe"/>. It never throws for a bad file. The result has no stream
/// index (the decoder maps the first video stream that is not a picture) and
/// <see cref="VideoInfo.TimingFromFfprobe"/> false: start time and timestamp rate are ffmpeg's own
/// estimates, so the decoder does not fast-seek on it.</para>
/// </summary>
public sealed class ContainerIndexReader(int maxDimension = 16384)
{
    public VideoInfo? TryRead(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 << 10);
            Span<byte> head = stackalloc byte[256];
            int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            IndexedVideo? video = ContainerSignature.Detect(head[..n]) switch
            {
                "iso-bmff" => Mp4Index.Read(file),
                "matroska" => MatroskaIndex.Read(file),
                "avi" => AviIndex.Read(file),
                _ => null,
            };
            if (video is null || video.Width > maxDimension || video.Height > maxDimension || video.FrameCount > int.MaxValue) return null;
            return new VideoInfo
            {
                Path = path,
                Container = video.Container,
                StreamIndex = null,
                Codec = video.Codec,
                PixelFormat = "unknown",
                Width = video.Width,
                Height = video.Height,
                Rotation = 0,
                DurationSeconds = video.DurationSeconds,
                FrameCount = video.FrameCount,
                FrameCountSource = video.FrameCountSource,
                AverageFrameRate = video.AverageFrameRate,
                RealFrameRate = video.NominalFrameRate,
                StartTime = 0,
                TimingFromFfprobe = false,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OverflowException or ArgumentException)
        {
            return null;   // the ffprobe path reports the problem with its proper classification
        }
    }
}
