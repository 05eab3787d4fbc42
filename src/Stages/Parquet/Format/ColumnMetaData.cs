using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct ColumnMetaData: where one column chunk's pages are and how they are encoded.</summary>
public sealed record ColumnMetaData
{
    public required PhysicalType Type { get; init; }
    public required IReadOnlyList<ParquetEncoding> Encodings { get; init; }
    public required IReadOnlyList<string> PathInSchema { get; init; }
    public required CompressionCodec Codec { get; init; }
    public required long NumValues { get; init; }
    public required long TotalUncompressedSize { get; init; }
    public required long TotalCompressedSize { get; init; }
    public required long DataPageOffset { get; init; }
    public long? DictionaryPageOffset { get; init; }
    public Statistics? Statistics { get; init; }

    /// <summary>Offset of the chunk's first page: the dictionary page when there is one.</summary>
    public long ChunkStart => DictionaryPageOffset is long dict && dict > 0 && dict < DataPageOffset ? dict : DataPageOffset;

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.I32Field(1, (int)Type);
        w.ListField(2, CompactType.I32, Encodings.Count);
        foreach (ParquetEncoding e in Encodings) w.I32((int)e);
        w.ListField(3, CompactType.Binary, PathInSchema.Count);
        foreach (string p in PathInSchema) w.String(p);
        w.I32Field(4, (int)Codec);
        w.I64Field(5, NumValues);
        w.I64Field(6, TotalUncompressedSize);
        w.I64Field(7, TotalCompressedSize);
        w.I64Field(9, DataPageOffset);
        if (DictionaryPageOffset is long dict) w.I64Field(11, dict);
        if (Statistics is not null)
        {
            w.FieldHeader(12, CompactType.Struct);
            Statistics.Write(w);
        }
        w.EndStruct();
    }

    internal static ColumnMetaData Read(ThriftCompactReader r)
    {
        const string S = nameof(ColumnMetaData);
        PhysicalType? type = null;
        List<ParquetEncoding>? encodings = null;
        List<string>? path = null;
        CompressionCodec? codec = null;
        long? numValues = null, uncompressed = null, compressed = null, dataPage = null, dictPage = null;
        Statistics? stats = null;
        r.BeginStruct();
        while (r.NextField(S, out ThriftField f))
        {
            switch (f.Id)
            {
                case 1: type = (PhysicalType)r.ReadI32(f); break;
                case 2:
                {
                    int n = r.ReadListHeader(f, CompactType.I32);
                    encodings = new List<ParquetEncoding>(n);
                    for (int i = 0; i < n; i++) encodings.Add((ParquetEncoding)r.ReadI32());
                    break;
                }
                case 3:
                {
                    int n = r.ReadListHeader(f, CompactType.Binary);
                    path = new List<string>(n);
                    for (int i = 0; i < n; i++) path.Add(r.ReadString());
                    break;
                }
                case 4: codec = (CompressionCodec)r.ReadI32(f); break;
                case 5: numValues = r.ReadI64(f); break;
                case 6: uncompressed = r.ReadI64(f); break;
                case 7: compressed = r.ReadI64(f); break;
                case 9: dataPage = r.ReadI64(f); break;
                case 11: dictPage = r.ReadI64(f); break;
                case 12:
                    r.ExpectStruct(f);
                    stats = Statistics.Read(r);
                    break;
                default: r.Skip(f.Type); break;
            }
        }
        return new ColumnMetaData
        {
            Type = Required.Field(type, S, "type"),
            Encodings = Required.Field(encodings, S, "encodings"),
            PathInSchema = Required.Field(path, S, "path_in_schema"),
            Codec = Required.Field(codec, S, "codec"),
            NumValues = Required.Field(numValues, S, "num_values"),
            TotalUncompressedSize = Required.Field(uncompressed, S, "total_uncompressed_size"),
            TotalCompressedSize = Required.Field(compressed, S, "total_compressed_size"),
            DataPageOffset = Required.Field(dataPage, S, "data_page_offset"),
            DictionaryPageOffset = dictPage,
            Statistics = stats,
        };
    }
}
