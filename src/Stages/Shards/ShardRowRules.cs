namespace CrossVideoMAE.Stages.Shards;

/// <summary>The rules every stored row obeys: checked by the writer before a row is stored and
/// by the reader on every row it returns.</summary>
public static class ShardRowRules
{
    /// <summary>The first rule <paramref name="row"/> breaks, or null.</summary>
    public static string? Check(ShardRow row, ShardLayout layout)
    {
        if (string.IsNullOrEmpty(row.VideoId)) return "video_id is empty";
        if (row.LabelName is null || row.SourcePath is null) return "label_name and source_path must not be null";
        if (string.IsNullOrEmpty(row.Split)) return "split is empty";
        if (row.ClipIndex < 0) return $"clip_index {row.ClipIndex} is negative";
        if (row.Label < 0) return $"label {row.Label} is negative";
        if (!double.IsFinite(row.Fps) || row.Fps <= 0) return $"fps {row.Fps} is not a positive number";
        if (row.Width <= 0 || row.Height <= 0) return $"frame size {row.Width}x{row.Height} is not positive";
        if (row.NumVideoFrames <= 0) return $"num_video_frames {row.NumVideoFrames} is not positive";
        if (row.Stride < 0) return $"stride {row.Stride} is negative (0 marks segment-based sampling)";
        if (row.ClipStart < 0) return $"clip_start {row.ClipStart} is negative";

        if (row.FrameIndices is null || row.FrameIndices.Count != layout.ClipLength)
            return $"frame_indices has {row.FrameIndices?.Count ?? 0} entries, expected {layout.ClipLength}";
        if (row.FrameIndices[0] != row.ClipStart) return $"frame_indices starts at {row.FrameIndices[0]} but clip_start is {row.ClipStart}";
        for (int i = 0; i < row.FrameIndices.Count; i++)
        {
            int index = row.FrameIndices[i];
            if (index < 0 || index >= row.NumVideoFrames) return $"frame index {index} is outside the video's {row.NumVideoFrames} frames";
            if (i > 0 && index < row.FrameIndices[i - 1]) return "frame_indices decrease";
        }
        if (row.Frames is null || row.Frames.Count != layout.ClipLength)
            return $"the clip has {row.Frames?.Count ?? 0} frames, expected {layout.ClipLength}";
        for (int i = 0; i < row.Frames.Count; i++)
        {
            if (!IsJpeg(row.Frames[i])) return $"{ShardSchema.FrameColumn(i)} is not a JPEG file (FF D8 FF ... FF D9)";
        }

        int n = layout.SampledFrames;
        if (row.SampledPositions is null || row.SampledPositions.Count != n)
            return $"sampled_positions has {row.SampledPositions?.Count ?? 0} entries, expected {n}";
        if (row.SampledFrameIndices is null || row.SampledFrameIndices.Count != n)
            return $"sampled_frame_indices has {row.SampledFrameIndices?.Count ?? 0} entries, expected {n}";
        if (row.SampledFrames is null || row.SampledFrames.Count != n)
            return $"{row.SampledFrames?.Count ?? 0} sampled frames, expected {n}";
        for (int k = 0; k < n; k++)
        {
            int position = row.SampledPositions[k];
            if (position < 0 || position >= layout.ClipLength) return $"sampled position {position} is outside the clip";
            if (row.SampledFrameIndices[k] != row.FrameIndices[position])
                return $"sampled frame {k} has source index {row.SampledFrameIndices[k]} but clip position {position} holds frame {row.FrameIndices[position]}";
            if (!IsJpeg(row.SampledFrames[k])) return $"{ShardSchema.SampledColumn(k)} is not a JPEG file (FF D8 FF ... FF D9)";
        }
        return null;
    }

    /// <summary>A JPEG file starts with the SOI marker FF D8 followed by another marker (FF) and
    /// ends with the EOI marker FF D9.</summary>
    public static bool IsJpeg(byte[]? bytes) =>
        bytes is { Length: >= 5 } && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF && bytes[^2] == 0xFF && bytes[^1] == 0xD9;
}
