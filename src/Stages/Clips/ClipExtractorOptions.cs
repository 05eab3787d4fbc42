using CrossVideoMAE.Stages.Sampling;

namespace CrossVideoMAE.Stages.Clips;

/// <summary>The settings of the clip stages (probe, decode, rows): how clips and frames are sampled, the
/// decoded size and JPEG quality, and how tool failures are retried.</summary>
public sealed record ClipExtractorOptions
{
    public int ClipLength { get; init; } = 16;
    public int Stride { get; init; } = 4;
    public ClipSamplingMode ClipMode { get; init; } = ClipSamplingMode.Strided;
    public int ClipsPerVideo { get; init; } = 1;
    public int SampledFrames { get; init; } = 1;
    public FrameSelection Selection { get; init; } = FrameSelection.Random;
    public ulong Seed { get; init; }
    /// <summary>Length of the shorter side of every decoded frame.</summary>
    public int ShortSide { get; init; } = 256;
    public int JpegQuality { get; init; } = 90;
    /// <summary>Time limit of one probe or decode attempt; past it the tool is killed.</summary>
    public TimeSpan StageTimeout { get; init; } = TimeSpan.FromMinutes(3);
    /// <summary>Extra attempts for transient failures (a tool killed or timed out).</summary>
    public int Retries { get; init; } = 2;
    /// <summary>Where shared ffmpeg runs leave decoded frames until they are read back.</summary>
    public required string ScratchDir { get; init; }
}
