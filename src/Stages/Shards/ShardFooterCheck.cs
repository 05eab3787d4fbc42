using Parquet.Meta;
using Parquet.Schema;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// Checks a shard's Parquet footer before any column is read, so that damaged counts or
/// offsets fail with a reason instead of sending Parquet.Net into huge allocations or reads
/// past its chunk: row counts that add up and fit the file, one uncompressed chunk per leaf
/// column with the leaf's path, value counts of exactly rows (scalars and frames) or rows
/// times the list length (index lists), and chunks that lie between the leading magic and the
/// footer. Throws <see cref="InvalidDataException"/> with the reason.
/// </summary>
internal static class ShardFooterCheck
{
    /// <summary>Row counts of the row groups, in order.</summary>
    public static long[] Check(FileMetaData footer, DataField[] leaves, ShardLayout layout, long fileLength)
    {
        if (footer.RowGroups is not { } groups) throw new InvalidDataException("the footer lists no row groups");
        // Every row holds T + n JPEG byte strings of at least 5 bytes plus a 4-byte length each.
        long maxRows = fileLength / ((layout.ClipLength + layout.SampledFrames) * 9L);
        if (footer.NumRows < 0 || footer.NumRows > maxRows) throw new InvalidDataException($"the footer's row count {footer.NumRows} cannot fit in {fileLength} bytes");
        var rows = new long[groups.Count];
        long sum = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            RowGroup group = groups[g];
            rows[g] = group.NumRows;
            if (group.NumRows < 1 || group.NumRows > maxRows) throw new InvalidDataException($"row group {g} claims {group.NumRows} rows");
            sum += group.NumRows;
            CheckChunks(g, group, leaves, layout, fileLength);
        }
        if (sum != footer.NumRows) throw new InvalidDataException($"the row groups hold {sum} rows but the footer says {footer.NumRows}");
        return rows;
    }

    private static void CheckChunks(int g, RowGroup group, DataField[] leaves, ShardLayout layout, long fileLength)
    {
        if (group.Columns is not { } chunks || chunks.Count != leaves.Length)
            throw new InvalidDataException($"row group {g} has {group.Columns?.Count ?? 0} column chunks, expected {leaves.Length}");
        long dataEnd = fileLength - 8; // the footer follows the chunks; 8 = footer length + magic
        for (int c = 0; c < leaves.Length; c++)
        {
            string path = leaves[c].Path.ToString();
            if (chunks[c].MetaData is not { } meta) throw new InvalidDataException($"row group {g} column '{path}' has no metadata");
            if (meta.PathInSchema is not { } parts || !parts.SequenceEqual(leaves[c].Path.ToList()))
                throw new InvalidDataException($"row group {g} column {c} is for another path than '{path}'");
            if (meta.Codec != CompressionCodec.UNCOMPRESSED) throw new InvalidDataException($"row group {g} column '{path}' is compressed ({meta.Codec}); shards are not");
            long expected = group.NumRows * ValuesPerRow(leaves[c], layout);
            if (meta.NumValues != expected) throw new InvalidDataException($"row group {g} column '{path}' holds {meta.NumValues} values, expected {expected}");
            long start = meta.DictionaryPageOffset is long dict ? Math.Min(dict, meta.DataPageOffset) : meta.DataPageOffset;
            if (start < 4 || meta.TotalCompressedSize < 0 || start + meta.TotalCompressedSize > dataEnd
                || meta.TotalUncompressedSize != meta.TotalCompressedSize)
                throw new InvalidDataException($"row group {g} column '{path}' claims bytes {start}..{start + meta.TotalCompressedSize} outside the file's data");
        }
    }

    /// <summary>Values a leaf holds per row: the list length for the index lists, else 1.</summary>
    public static int ValuesPerRow(DataField leaf, ShardLayout layout) => leaf.Path.FirstPart switch
    {
        ShardSchema.FrameIndices => layout.ClipLength,
        ShardSchema.SampledFrameIndices or ShardSchema.SampledPositions => layout.SampledFrames,
        _ => 1,
    };
}
