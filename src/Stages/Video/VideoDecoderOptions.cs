namespace CrossVideoMAE.Stages.Video;

public sealed record VideoDecoderOptions
{
    public string FfmpegPath { get; init; } = "ffmpeg";
    /// <summary>Target length of the shorter output side (aspect kept, both sides even). Null keeps the
    /// video's display size. 256 matches the method's base augmentation input.</summary>
    public int? ShortSide { get; init; } = 256;
    /// <summary>swscale algorithm for the resize (the method's base augmentation is bilinear).</summary>
    public string ScaleFlags { get; init; } = "bilinear";
    /// <summary>Time limit for one ffmpeg run; past it ffmpeg is killed and a transient Timeout raised.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>ffmpeg decoder/filter threads per run. 1 suits a pipeline that decodes several videos at once.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Seek with <c>-ss</c> before <c>-i</c> for constant-frame-rate videos whose first requested
    /// frame lies more than <see cref="SeekMarginSeconds"/> in. Never used for variable frame rate.</summary>
    public bool FastSeek { get; init; } = true;
    /// <summary>How far before the first requested frame the seek lands (covers timestamp rounding and the
    /// keyframe search); also the least distance into the video at which seeking starts to pay.</summary>
    public double SeekMarginSeconds { get; init; } = 1.0;
    /// <summary>Past-end check: when the last requested frame lies fewer than this many frames before the end the
    /// video's frame count claims, the decode also asks for the frame just past that end (decoding at most this many
    /// frames more) and fails with <see cref="VideoFailure.UnderCounted"/> if it exists. 0 switches the check off;
    /// it is never made for a count that came from decoding (<see cref="FrameCountSource.Counted"/>).</summary>
    public int PastEndCheckFrames { get; init; }
}
