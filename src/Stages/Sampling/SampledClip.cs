namespace CrossVideoMAE.Stages.Sampling;

/// <summary>
/// One clip of a video: <see cref="FrameIndices"/> are source frame indices (0-based, presentation
/// order), one per clip position, non-decreasing. <see cref="Padded"/> says the video was too short
/// and the last frame was repeated to fill the clip.
/// </summary>
public sealed record SampledClip(int ClipIndex, IReadOnlyList<int> FrameIndices, bool Padded)
{
    public int Length => FrameIndices.Count;
    public int FirstFrame => FrameIndices[0];
}
