using System.Globalization;
using System.Text.RegularExpressions;
using CrossVideoMAE.Stages.Parquet.Reading;
using CrossVideoMAE.Stages.Parquet.Schema;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// The Parquet columns of a shard (documented in data-schemas/shard.md) and the mapping
/// between <see cref="ShardRow"/> and column values. All columns are required. Lists of frame
/// indices are stored as STRING columns of comma-separated decimal integers ("0,4,8"), which
/// keeps the schema flat and stays readable in SQL (<c>string_split(frame_indices, ',')</c>).
/// </summary>
public static partial class ShardSchema
{
    public const string VideoId = "video_id";
    public const string ClipIndex = "clip_index";
    public const string Label = "label";
    public const string LabelName = "label_name";
    public const string Split = "split";
    public const string SourcePath = "source_path";
    public const string Fps = "fps";
    public const string Width = "width";
    public const string Height = "height";
    public const string NumVideoFrames = "num_video_frames";
    public const string ClipStart = "clip_start";
    public const string Stride = "stride";
    public const string FrameIndices = "frame_indices";
    public const string Padded = "padded";
    public const string SampledFrameIndices = "sampled_frame_indices";
    public const string SampledPositions = "sampled_positions";

    /// <summary>Footer key/value entries recording the layout and the shard format version.</summary>
    public const string FormatKey = "cvmae.shard.format";
    public const string ClipLengthKey = "cvmae.shard.clip_length";
    public const string SampledFramesKey = "cvmae.shard.sampled_frames";
    public const string FormatVersion = "1";

    private static readonly ParquetColumn[] ScalarColumns =
    [
        new(VideoId, ParquetType.String),
        new(ClipIndex, ParquetType.Int32),
        new(Label, ParquetType.Int32),
        new(LabelName, ParquetType.String),
        new(Split, ParquetType.String),
        new(SourcePath, ParquetType.String),
        new(Fps, ParquetType.Double),
        new(Width, ParquetType.Int32),
        new(Height, ParquetType.Int32),
        new(NumVideoFrames, ParquetType.Int32),
        new(ClipStart, ParquetType.Int32),
        new(Stride, ParquetType.Int32),
        new(FrameIndices, ParquetType.String),
        new(Padded, ParquetType.Boolean),
        new(SampledFrameIndices, ParquetType.String),
        new(SampledPositions, ParquetType.String),
    ];

    public static string FrameColumn(int position) => $"frame_{position:D2}";

    public static string SampledColumn(int k) => $"sampled_{k}";

    public static ParquetSchema For(ShardLayout layout) => new(
        ScalarColumns
            .Concat(Enumerable.Range(0, layout.ClipLength).Select(i => new ParquetColumn(FrameColumn(i), ParquetType.Binary)))
            .Concat(Enumerable.Range(0, layout.SampledFrames).Select(k => new ParquetColumn(SampledColumn(k), ParquetType.Binary))));

    public static IReadOnlyDictionary<string, string> FooterMetadata(ShardLayout layout) => new Dictionary<string, string>
    {
        [FormatKey] = FormatVersion,
        [ClipLengthKey] = layout.ClipLength.ToString(CultureInfo.InvariantCulture),
        [SampledFramesKey] = layout.SampledFrames.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The layout of a file's schema; throws <see cref="InvalidDataException"/> when
    /// the schema is not exactly a shard schema.</summary>
    public static ShardLayout LayoutOf(ParquetSchema schema, IReadOnlyDictionary<string, string> footerMetadata)
    {
        int clipLength = schema.Columns.Count(c => FrameColumnName().IsMatch(c.Name));
        int sampled = schema.Columns.Count(c => SampledColumnName().IsMatch(c.Name));
        ShardLayout layout;
        try
        {
            layout = new ShardLayout(clipLength, sampled);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"not a shard schema: {clipLength} frame columns and {sampled} sampled columns");
        }
        ParquetSchema expected = For(layout);
        if (!schema.SameAs(expected))
            throw new InvalidDataException($"not a shard schema: columns are [{schema}], expected [{expected}]");
        foreach ((string key, string value) in FooterMetadata(layout))
        {
            if (footerMetadata.TryGetValue(key, out string? actual) && actual != value)
                throw new InvalidDataException($"footer metadata {key}={actual} disagrees with the columns, which imply {value}");
        }
        return layout;
    }

    /// <summary>Column values of a row in schema order.</summary>
    public static object?[] ToValues(ShardRow row, ShardLayout layout)
    {
        string? problem = Check(row, layout);
        if (problem is not null) throw new ArgumentException($"shard row of video '{row.VideoId}' clip {row.ClipIndex} is invalid: {problem}", nameof(row));
        var values = new List<object?>(ScalarColumns.Length + layout.ClipLength + layout.SampledFrames)
        {
            row.VideoId, row.ClipIndex, row.Label, row.LabelName, row.Split, row.SourcePath, row.Fps,
            row.Width, row.Height, row.NumVideoFrames, row.ClipStart, row.Stride,
            FormatIndices(row.FrameIndices), row.Padded,
            FormatIndices(row.SampledFrameIndices), FormatIndices(row.SampledPositions),
        };
        values.AddRange(row.Frames);
        values.AddRange(row.SampledFrames);
        return values.ToArray();
    }

    /// <summary>Row <paramref name="r"/> of a row group read with <see cref="For"/>'s schema.</summary>
    public static ShardRow FromRowGroup(RowGroupData group, int r, ShardLayout layout)
    {
        var row = new ShardRow
        {
            VideoId = group[VideoId].GetString(r),
            ClipIndex = group[ClipIndex].GetInt32(r),
            Label = group[Label].GetInt32(r),
            LabelName = group[LabelName].GetString(r),
            Split = group[Split].GetString(r),
            SourcePath = group[SourcePath].GetString(r),
            Fps = group[Fps].GetDouble(r),
            Width = group[Width].GetInt32(r),
            Height = group[Height].GetInt32(r),
            NumVideoFrames = group[NumVideoFrames].GetInt32(r),
            ClipStart = group[ClipStart].GetInt32(r),
            Stride = group[Stride].GetInt32(r),
            FrameIndices = ParseIndices(group[FrameIndices].GetString(r), FrameIndices),
            Padded = group[Padded].GetBoolean(r),
            Frames = Enumerable.Range(0, layout.ClipLength).Select(i => group[FrameColumn(i)].GetBytes(r)).ToArray(),
            SampledFrameIndices = ParseIndices(group[SampledFrameIndices].GetString(r), SampledFrameIndices),
            SampledPositions = ParseIndices(group[SampledPositions].GetString(r), SampledPositions),
            SampledFrames = Enumerable.Range(0, layout.SampledFrames).Select(k => group[SampledColumn(k)].GetBytes(r)).ToArray(),
        };
        string? problem = Check(row, layout);
        if (problem is not null) throw new InvalidDataException($"row {r} of row group {group.Index} (video '{row.VideoId}') is invalid: {problem}");
        return row;
    }

    /// <summary>The rules every stored row obeys; returns the first broken one, or null.</summary>
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
            if (!IsJpeg(row.Frames[i])) return $"{FrameColumn(i)} is not a JPEG image";
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
            if (!IsJpeg(row.SampledFrames[k])) return $"{SampledColumn(k)} is not a JPEG image";
        }
        return null;
    }

    public static string FormatIndices(IReadOnlyList<int> indices) =>
        string.Join(',', indices.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Parses "0,4,8": non-negative decimal integers separated by commas, nothing else.</summary>
    public static int[] ParseIndices(string text, string column)
    {
        if (text.Length == 0) return [];
        string[] parts = text.Split(',');
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out result[i]))
                throw new InvalidDataException($"{column} '{text}' is not a comma-separated list of non-negative integers");
        }
        return result;
    }

    /// <summary>A JPEG file starts with the SOI marker FF D8 followed by another marker (FF).</summary>
    private static bool IsJpeg(byte[]? bytes) => bytes is { Length: >= 3 } && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;

    [GeneratedRegex(@"^frame_\d{2}$")]
    private static partial Regex FrameColumnName();

    [GeneratedRegex(@"^sampled_\d+$")]
    private static partial Regex SampledColumnName();
}
