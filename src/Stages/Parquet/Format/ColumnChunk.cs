using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct ColumnChunk: one column of one row group. <see cref="FilePath"/> is
/// set only when the data lives in another file, which this codec never writes and refuses to read.</summary>
public sealed record ColumnChunk
{
    public string? FilePath { get; init; }
    public long FileOffset { get; init; }
    public ColumnMetaData? MetaData { get; init; }

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        if (FilePath is not null) w.StringField(1, FilePath);
        w.I64Field(2, FileOffset);
        if (MetaData is not null)
        {
            w.FieldHeader(3, CompactType.Struct);
            MetaData.Write(w);
        }
        w.EndStruct();
    }

    internal static ColumnChunk Read(ThriftCompactReader r)
    {
        string? filePath = null;
        long? fileOffset = null;
        ColumnMetaData? meta = null;
        r.BeginStruct();
        while (r.NextField(nameof(ColumnChunk), out ThriftField f))
        {
            switch (f.Id)
            {
                case 1: filePath = r.ReadString(f); break;
                case 2: fileOffset = r.ReadI64(f); break;
                case 3:
                    r.ExpectStruct(f);
                    meta = ColumnMetaData.Read(r);
                    break;
                default: r.Skip(f.Type); break;
            }
        }
        return new ColumnChunk
        {
            FilePath = filePath,
            FileOffset = Required.Field(fileOffset, nameof(ColumnChunk), "file_offset"),
            MetaData = meta,
        };
    }
}
