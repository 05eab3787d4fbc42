namespace CrossVideoMAE.Stages.Video;

/// <summary>Where <see cref="VideoInfo.FrameCount"/> came from.</summary>
public enum FrameCountSource
{
    /// <summary>The container header's frame count (ffprobe <c>nb_frames</c>): free, trusted unless the file is truncated.</summary>
    Header,
    /// <summary>Counted by decoding every frame (ffprobe <c>-count_frames</c>, <c>nb_read_frames</c>), used when the header has none (webm, mkv).</summary>
    Counted,
    /// <summary>duration x fps, used only when counting was switched off.</summary>
    Estimated,
}
