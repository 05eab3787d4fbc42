using CrossVideoMAE.Stages.Parquet.Format;

namespace CrossVideoMAE.Stages.Parquet.Writing;

/// <summary>Writes the buffered column chunks of one row group, in schema order, and returns
/// the row group's metadata.</summary>
internal static class RowGroupWriter
{
    public static async ValueTask<RowGroup> WriteAsync(
        IReadOnlyList<ColumnWriter> columns, long rowCount, short ordinal, Stream output, long offset, CancellationToken ct)
    {
        long start = offset;
        var chunks = new List<ColumnChunk>(columns.Count);
        long uncompressed = 0;
        foreach (ColumnWriter column in columns)
        {
            ColumnChunk chunk = await column.WriteChunkAsync(output, offset, ct).ConfigureAwait(false);
            ColumnMetaData meta = chunk.MetaData!;
            if (meta.NumValues != rowCount)
                throw new InvalidOperationException($"column '{column.Column.Name}' holds {meta.NumValues} values but the row group has {rowCount} rows");
            offset += meta.TotalCompressedSize;
            uncompressed += meta.TotalUncompressedSize;
            chunks.Add(chunk);
        }
        return new RowGroup
        {
            Columns = chunks,
            TotalByteSize = uncompressed,
            NumRows = rowCount,
            FileOffset = start,
            TotalCompressedSize = offset - start,
            Ordinal = ordinal,
        };
    }
}
