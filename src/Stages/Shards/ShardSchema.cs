using System.Globalization;
using Parquet.Schema;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// The Parquet columns of a shard, format 2 (documented in data-schemas/shard.md): scalar
/// columns, the three index lists as LIST&lt;INT32&gt;, one BYTE_ARRAY column per clip frame
/// (<c>frame_00</c>..) and per sampled frame (<c>sampled_0</c>..). Every leaf is REQUIRED.
/// The footer key/values record the format and the layout, and one SHA-256 per row group
/// over the rows' content (<see cref="ShardRowDigest"/>).
/// </summary>
public static class ShardSchema
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

    /// <summary>Footer key/value entries: the shard format version, the layout, the row-group digests.</summary>
    public const string FormatKey = "cvmae.shard.format";
    public const string ClipLengthKey = "cvmae.shard.clip_length";
    public const string SampledFramesKey = "cvmae.shard.sampled_frames";
    public const string RowGroupDigestsKey = "cvmae.shard.row_group_sha256";
    public const string FormatVersion = "2";

    public static string FrameColumn(int position) => $"frame_{position:D2}";

    public static string SampledColumn(int k) => $"sampled_{k}";

    /// <summary>The Parquet.Net fields of a shard with <paramref name="layout"/>, in column order.</summary>
    public static ShardFields FieldsFor(ShardLayout layout) => new(layout);

    /// <summary>The Parquet.Net schema of a shard with <paramref name="layout"/>.</summary>
    public static ParquetSchema For(ShardLayout layout) => FieldsFor(layout).Schema;

    /// <summary>Footer key/values of a shard (the row-group digests are added when the shard is complete).</summary>
    public static Dictionary<string, string> FooterMetadata(ShardLayout layout) => new()
    {
        [FormatKey] = FormatVersion,
        [ClipLengthKey] = layout.ClipLength.ToString(CultureInfo.InvariantCulture),
        [SampledFramesKey] = layout.SampledFrames.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The layout of a file from its footer key/values and its schema; throws
    /// <see cref="InvalidDataException"/> when the file is not a format-2 shard, with a message
    /// that says to re-run prepare for a format-1 shard.
    /// </summary>
    public static ShardLayout LayoutOf(ParquetSchema schema, IReadOnlyDictionary<string, string> footer)
    {
        if (!footer.TryGetValue(FormatKey, out string? format))
            throw new InvalidDataException($"not a shard: the footer has no {FormatKey} entry");
        if (format == "1")
            throw new InvalidDataException(
                "shard format 1 (index lists stored as comma-separated strings) is no longer read; " +
                "re-run `cvmae prepare` to rewrite the dataset in format 2");
        if (format != FormatVersion)
            throw new InvalidDataException($"unknown shard format '{Truncate(format)}' (this version reads format {FormatVersion})");
        int clipLength = FooterInt(footer, ClipLengthKey);
        int sampled = FooterInt(footer, SampledFramesKey);
        ShardLayout layout;
        try
        {
            layout = new ShardLayout(clipLength, sampled);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"footer layout {ClipLengthKey}={clipLength}, {SampledFramesKey}={sampled} is invalid: {e.Message}");
        }
        string? problem = FieldsFor(layout).Mismatch(schema);
        if (problem is not null) throw new InvalidDataException($"not a shard schema of clip length {clipLength} and {sampled} sampled frames: {problem}");
        return layout;
    }

    private static int FooterInt(IReadOnlyDictionary<string, string> footer, string key)
    {
        if (!footer.TryGetValue(key, out string? text)) throw new InvalidDataException($"the footer has no {key} entry");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            throw new InvalidDataException($"footer entry {key}='{Truncate(text)}' is not a non-negative integer");
        return value;
    }

    internal static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
