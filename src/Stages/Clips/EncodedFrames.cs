namespace CrossVideoMAE.Stages.Clips;

/// <summary>Each needed source frame of a plan as a JPEG, all <see cref="Width"/> x <see cref="Height"/>.</summary>
public sealed record EncodedFrames(int Width, int Height, IReadOnlyDictionary<int, byte[]> Jpegs);
