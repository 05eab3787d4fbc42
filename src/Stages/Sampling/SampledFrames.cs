namespace CrossVideoMAE.Stages.Sampling;

/// <summary>Frames chosen from a clip: positions inside the clip (0..T-1, increasing) and the source
/// frame index at each position.</summary>
public sealed record SampledFrames(IReadOnlyList<int> ClipPositions, IReadOnlyList<int> SourceFrameIndices);
