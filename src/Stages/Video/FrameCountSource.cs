namespace CrossVideoMAE.Stages.Video;

/// <summary>Where <see cref="VideoInfo.FrameCount"/> came from.</summary>
public enum FrameCountSource
{
    /// <summary>The container header's frame count (ffprobe <c>nb_frames</c>, or the same table read by
    /// <see cref="ContainerIndexReader"/>: mp4 <c>stsz</c>, avi <c>strh</c>): free, trusted unless the file is truncated.</summary>
    Header,
    /// <summary>Counted by decoding every frame (ffprobe <c>-count_frames</c>, <c>nb_read_frames</c>), used when the header has none (webm, mkv).</summary>
    Counted,
    /// <summary>duration x fps, used only when counting was switched off.</summary>
    Estimated,
    /// <summary>The number of video packets the container's index lists (Matroska/WebM blocks), counted without
    /// decoding by <see cref="ContainerIndexReader"/>. Each block is one shown frame for the codecs in use
    /// (VP9 packs hidden frames into superframes); a decode that ends early falls back to <see cref="Counted"/>.</summary>
    Packets,
}
