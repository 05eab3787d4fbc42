using System.Text;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// Upper bounds on the bytes Parquet.Net writes for shard rows, so the writer can start a new
/// shard before one would pass its size limit. PLAIN values without compression: a byte string
/// is its length plus 4; a string may be dictionary-encoded, which adds at most a 4-byte index;
/// a list element is 4 bytes plus at most 1 byte of levels. Each column chunk adds a page header
/// and its footer entry; string statistics (min and max, twice) add up to 4 copies of the
/// longest string of the row group.
/// </summary>
internal static class ShardSizeBound
{
    /// <summary>Page and dictionary-page headers, level run headers and padding of one column chunk.</summary>
    public const int ChunkPagesBytes = 128;

    /// <summary>One column chunk's entry in the footer (path, encodings, offsets, counts), statistics of strings excepted.</summary>
    public const int ChunkFooterBytes = 320;

    /// <summary>Magic numbers, footer length, schema elements, key/values, created-by.</summary>
    public const int FooterBaseBytes = 8192;

    public const int StringColumns = 4;

    /// <summary>Bytes of <paramref name="row"/>'s values on their own.</summary>
    public static long Row(ShardRow row)
    {
        long bytes = 0;
        foreach (string s in (ReadOnlySpan<string>)[row.VideoId, row.LabelName, row.Split, row.SourcePath]) bytes += 8 + Encoding.UTF8.GetByteCount(s);
        bytes += 7 * 4 + 8 + 1; // seven INT32, fps, padded
        bytes += 5L * (row.FrameIndices.Count + row.SampledFrameIndices.Count + row.SampledPositions.Count);
        foreach (byte[] f in row.Frames) bytes += 4 + f.Length;
        foreach (byte[] f in row.SampledFrames) bytes += 4 + f.Length;
        return bytes;
    }

    /// <summary>The longest of the row's strings in UTF-8 bytes (string statistics copy the extremes into the footer).</summary>
    public static int LongestString(ShardRow row) =>
        Math.Max(Math.Max(Encoding.UTF8.GetByteCount(row.VideoId), Encoding.UTF8.GetByteCount(row.LabelName)),
                 Math.Max(Encoding.UTF8.GetByteCount(row.Split), Encoding.UTF8.GetByteCount(row.SourcePath)));

    /// <summary>What a row group adds besides its values: page headers in the data, its footer entries.</summary>
    public static long RowGroupOverhead(int columns, int longestString) =>
        (long)columns * (ChunkPagesBytes + ChunkFooterBytes) + 4L * StringColumns * longestString + 128;
}
