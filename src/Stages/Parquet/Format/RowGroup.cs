using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct RowGroup: one column chunk per leaf column, in schema order.</summary>
public sealed record RowGroup
{
    public required IReadOnlyList<ColumnChunk> Columns { get; init; }
    public required long TotalByteSize { get; init; }
    public required long NumRows { get; init; }
    public long? FileOffset { get; init; }
    public long? TotalCompressedSize { get; init; }
    public short? Ordinal { get; init; }

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.ListField(1, CompactType.Struct, Columns.Count);
        foreach (ColumnChunk c in Columns) c.Write(w);
        w.I64Field(2, TotalByteSize);
        w.I64Field(3, NumRows);
        if (FileOffset is long offset) w.I64Field(5, offset);
        if (TotalCompressedSize is long compressed) w.I64Field(6, compressed);
        if (Ordinal is short ordinal)
        {
            w.FieldHeader(7, CompactType.I16);
            w.I32(ordinal);
        }
        w.EndStruct();
    }

    internal static RowGroup Read(ThriftCompactReader r)
    {
        const string S = nameof(RowGroup);
        List<ColumnChunk>? columns = null;
        long? totalBytes = null, numRows = null, fileOffset = null, compressed = null;
        short? ordinal = null;
        r.BeginStruct();
        while (r.NextField(S, out ThriftField f))
        {
            switch (f.Id)
            {
                case 1:
                {
                    int n = r.ReadListHeader(f, CompactType.Struct);
                    columns = new List<ColumnChunk>(n);
                    for (int i = 0; i < n; i++) columns.Add(ColumnChunk.Read(r));
                    break;
                }
                case 2: totalBytes = r.ReadI64(f); break;
                case 3: numRows = r.ReadI64(f); break;
                case 5: fileOffset = r.ReadI64(f); break;
                case 6: compressed = r.ReadI64(f); break;
                case 7: ordinal = r.ReadI16(f); break;
                default: r.Skip(f.Type); break;
            }
        }
        return new RowGroup
        {
            Columns = Required.Field(columns, S, "columns"),
            TotalByteSize = Required.Field(totalBytes, S, "total_byte_size"),
            NumRows = Required.Field(numRows, S, "num_rows"),
            FileOffset = fileOffset,
            TotalCompressedSize = compressed,
            Ordinal = ordinal,
        };
    }
}
