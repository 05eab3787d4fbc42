using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct FileMetaData: the footer of a Parquet file.</summary>
public sealed record FileMetaData
{
    public required int Version { get; init; }
    public required IReadOnlyList<SchemaElement> Schema { get; init; }
    public required long NumRows { get; init; }
    public required IReadOnlyList<RowGroup> RowGroups { get; init; }
    public IReadOnlyList<KeyValue> KeyValueMetadata { get; init; } = [];
    public string? CreatedBy { get; init; }

    /// <summary>Number of TYPE_ORDER column orders to write (one per leaf column), which tells
    /// readers how the min/max statistics are ordered; zero writes none.</summary>
    public int TypeDefinedColumnOrders { get; init; }

    public byte[] Serialize()
    {
        var w = new ThriftCompactWriter();
        Write(w);
        return w.ToArray();
    }

    public static FileMetaData Deserialize(ReadOnlyMemory<byte> bytes)
    {
        var r = new ThriftCompactReader(bytes);
        return Read(r);
    }

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.I32Field(1, Version);
        w.ListField(2, CompactType.Struct, Schema.Count);
        foreach (SchemaElement e in Schema) e.Write(w);
        w.I64Field(3, NumRows);
        w.ListField(4, CompactType.Struct, RowGroups.Count);
        foreach (RowGroup g in RowGroups) g.Write(w);
        if (KeyValueMetadata.Count > 0) KeyValue.WriteList(w, 5, KeyValueMetadata);
        if (CreatedBy is not null) w.StringField(6, CreatedBy);
        if (TypeDefinedColumnOrders > 0)
        {
            w.ListField(7, CompactType.Struct, TypeDefinedColumnOrders);
            for (int i = 0; i < TypeDefinedColumnOrders; i++)
            {
                w.BeginStruct();      // union ColumnOrder
                w.StructField(1);     // TYPE_ORDER: TypeDefinedOrder {}
                w.EndStruct();
                w.EndStruct();
            }
        }
        w.EndStruct();
    }

    internal static FileMetaData Read(ThriftCompactReader r)
    {
        const string S = nameof(FileMetaData);
        int? version = null;
        List<SchemaElement>? schema = null;
        long? numRows = null;
        List<RowGroup>? rowGroups = null;
        List<KeyValue> keyValues = [];
        string? createdBy = null;
        r.BeginStruct();
        while (r.NextField(S, out ThriftField f))
        {
            switch (f.Id)
            {
                case 1: version = r.ReadI32(f); break;
                case 2:
                {
                    int n = r.ReadListHeader(f, CompactType.Struct);
                    schema = new List<SchemaElement>(n);
                    for (int i = 0; i < n; i++) schema.Add(SchemaElement.Read(r));
                    break;
                }
                case 3: numRows = r.ReadI64(f); break;
                case 4:
                {
                    int n = r.ReadListHeader(f, CompactType.Struct);
                    rowGroups = new List<RowGroup>(n);
                    for (int i = 0; i < n; i++) rowGroups.Add(RowGroup.Read(r));
                    break;
                }
                case 5: keyValues = KeyValue.ReadList(r, f); break;
                case 6: createdBy = r.ReadString(f); break;
                default: r.Skip(f.Type); break;
            }
        }
        return new FileMetaData
        {
            Version = Required.Field(version, S, "version"),
            Schema = Required.Field(schema, S, "schema"),
            NumRows = Required.Field(numRows, S, "num_rows"),
            RowGroups = Required.Field(rowGroups, S, "row_groups"),
            KeyValueMetadata = keyValues,
            CreatedBy = createdBy,
        };
    }
}
