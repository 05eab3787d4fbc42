namespace CrossVideoMAE.Stages.Video;

/// <summary>Why a video could not be probed or decoded. Every value except <see cref="Timeout"/>
/// and <see cref="Interrupted"/> is permanent: retrying the same file gives the same result.</summary>
public enum VideoFailure
{
    /// <summary>The path does not exist.</summary>
    FileMissing,
    /// <summary>The file exists but cannot be opened for reading (permissions, a broken mount).</summary>
    Unreadable,
    /// <summary>The file has zero bytes.</summary>
    EmptyFile,
    /// <summary>No known container signature and ffprobe cannot read it (e.g. a text file renamed .mp4).</summary>
    NotAVideo,
    /// <summary>The container is readable but holds no video stream (e.g. audio only).</summary>
    NoVideoStream,
    /// <summary>The data ends early: mp4 index ("moov atom") missing, "partial file", or fewer frames than the header promised.</summary>
    Truncated,
    /// <summary>Frames decode past the frame count the video was sampled from: the container under-reports its frames
    /// (e.g. an AVI whose header says 30 frames while 100 decode). Seen by <see cref="VideoDecoder"/>'s past-end check.</summary>
    UnderCounted,
    /// <summary>A recognised container whose header or frames cannot be read.</summary>
    Corrupt,
    /// <summary>The tool ran longer than its time limit and was killed. Transient.</summary>
    Timeout,
    /// <summary>The tool was killed by a signal it did not send itself (e.g. the OOM killer). Transient.</summary>
    Interrupted,
}
