namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// One row of a shard: one clip of <see cref="ShardLayout.ClipLength"/> frames of one video,
/// stored as JPEG images, plus the n frames sampled from the clip for the image branch.
/// Source frame indices refer to the decoded video's frames (0-based).
/// </summary>
public sealed record ShardRow
{
    public required string VideoId { get; init; }
    /// <summary>Which clip of the video this is (0-based), when a video yields several clips.</summary>
    public required int ClipIndex { get; init; }
    public required int Label { get; init; }
    public required string LabelName { get; init; }
    public required string Split { get; init; }
    public required string SourcePath { get; init; }
    public required double Fps { get; init; }
    /// <summary>Width of the stored frames in pixels.</summary>
    public required int Width { get; init; }
    /// <summary>Height of the stored frames in pixels.</summary>
    public required int Height { get; init; }
    public required int NumVideoFrames { get; init; }
    /// <summary>Source frame index of the clip's first frame.</summary>
    public required int ClipStart { get; init; }
    public required int Stride { get; init; }
    /// <summary>Source frame index of each clip frame (ClipLength entries, non-decreasing).</summary>
    public required IReadOnlyList<int> FrameIndices { get; init; }
    /// <summary>True when the video was too short and the clip repeats its last frame.</summary>
    public required bool Padded { get; init; }
    /// <summary>The clip frames as JPEG files, in clip order (ClipLength entries).</summary>
    public required IReadOnlyList<byte[]> Frames { get; init; }
    /// <summary>Source frame index of each sampled frame (n entries).</summary>
    public required IReadOnlyList<int> SampledFrameIndices { get; init; }
    /// <summary>Position of each sampled frame within the clip (0..ClipLength-1, n entries).</summary>
    public required IReadOnlyList<int> SampledPositions { get; init; }
    /// <summary>The sampled frames as JPEG files (n entries).</summary>
    public required IReadOnlyList<byte[]> SampledFrames { get; init; }
}
