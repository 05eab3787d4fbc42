namespace CrossVideoMAE.Stages.Sampling;

public sealed record FrameSamplerOptions
{
    /// <summary>n, frames per clip given to the image branch (method default 1).</summary>
    public int Count { get; init; } = 1;
    public FrameSelection Selection { get; init; } = FrameSelection.Random;
    public ulong Seed { get; init; }
}
