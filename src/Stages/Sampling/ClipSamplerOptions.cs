namespace CrossVideoMAE.Stages.Sampling;

public sealed record ClipSamplerOptions
{
    /// <summary>T, frames per clip.</summary>
    public int FramesPerClip { get; init; } = 16;
    /// <summary>Distance between consecutive clip frames in <see cref="ClipSamplingMode.Strided"/> mode.</summary>
    public int Stride { get; init; } = 4;
    public ClipSamplingMode Mode { get; init; } = ClipSamplingMode.Strided;
    /// <summary>Clips taken from each video.</summary>
    public int ClipsPerVideo { get; init; } = 1;
    /// <summary>True: random starts/offsets (from <see cref="Seed"/>). False (evaluation): clips spread
    /// evenly over the video, no randomness.</summary>
    public bool Training { get; init; } = true;
    public ulong Seed { get; init; }

    /// <summary>Kinetics-400 as in the method: 16 frames, stride 4.</summary>
    public static ClipSamplerOptions Kinetics400 => new() { FramesPerClip = 16, Stride = 4 };

    /// <summary>Something-Something V2 as in the method: 16 frames, stride 2. Set <see cref="Mode"/> to
    /// <see cref="ClipSamplingMode.Segments"/> for the segment sampling of VideoMAE-style SSv2 recipes.</summary>
    public static ClipSamplerOptions SomethingSomethingV2 => new() { FramesPerClip = 16, Stride = 2 };

    /// <summary>Frames one strided clip spans: (T - 1) * stride + 1.</summary>
    public int Span => (FramesPerClip - 1) * Stride + 1;
}
