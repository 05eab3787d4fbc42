namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Cheap evidence, from the container's own structure, that a frame count taken without decoding is wrong:
/// the file ends before its container says it does (<see cref="ContainerExtent"/>: frames at the end are gone
/// while the header still counts them), or an AVI's <c>idx1</c> lists another number of video frames than its
/// header (<see cref="AviFrameChunks"/>: ffmpeg decodes what the index lists). A doubtful count is replaced by a
/// count by decoding (<see cref="VideoProbe.CountFramesAsync"/>) before any frame is sampled from it.
/// </summary>
public static class FrameCountDoubt
{
    /// <summary>Why <paramref name="info"/>'s frame count is not to be trusted, or null when nothing speaks against it
    /// (always null for a count that came from decoding).</summary>
    public static string? Reason(VideoInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.FrameCountSource == FrameCountSource.Counted) return null;
        if (ContainerExtent.IsCutShort(info.Path)) return "the file ends before its container says it does";
        if (info.Container == AviIndex.ContainerName && info.FrameCountSource == FrameCountSource.Header
            && AviFrameChunks.CountInIndex(info.Path) is long chunks && chunks != info.FrameCount)
            return $"idx1 lists {chunks} video frames, the header {info.FrameCount}";
        return null;
    }
}
