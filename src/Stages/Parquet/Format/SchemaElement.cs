using CrossVideoMAE.Stages.Parquet.Thrift;

namespace CrossVideoMAE.Stages.Parquet.Format;

/// <summary>Thrift struct SchemaElement: one node of the depth-first flattened schema tree
/// (the root is a group with <see cref="NumChildren"/>; leaves have a <see cref="Type"/>).</summary>
public sealed record SchemaElement
{
    public required string Name { get; init; }
    public PhysicalType? Type { get; init; }
    public int? TypeLength { get; init; }
    public FieldRepetition? Repetition { get; init; }
    public int? NumChildren { get; init; }
    public ConvertedType? ConvertedType { get; init; }
    public LogicalType? LogicalType { get; init; }

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        if (Type is PhysicalType type) w.I32Field(1, (int)type);
        if (TypeLength is int length) w.I32Field(2, length);
        if (Repetition is FieldRepetition repetition) w.I32Field(3, (int)repetition);
        w.StringField(4, Name);
        if (NumChildren is int children) w.I32Field(5, children);
        if (ConvertedType is Format.ConvertedType converted) w.I32Field(6, (int)converted);
        if (LogicalType is not null)
        {
            w.FieldHeader(10, CompactType.Struct);
            LogicalType.Write(w);
        }
        w.EndStruct();
    }

    internal static SchemaElement Read(ThriftCompactReader r)
    {
        string? name = null;
        PhysicalType? type = null;
        int? typeLength = null, numChildren = null;
        FieldRepetition? repetition = null;
        ConvertedType? converted = null;
        LogicalType? logical = null;
        r.BeginStruct();
        while (r.NextField(nameof(SchemaElement), out ThriftField f))
        {
            switch (f.Id)
            {
                case 1: type = (PhysicalType)r.ReadI32(f); break;
                case 2: typeLength = r.ReadI32(f); break;
                case 3: repetition = (FieldRepetition)r.ReadI32(f); break;
                case 4: name = r.ReadString(f); break;
                case 5: numChildren = r.ReadI32(f); break;
                case 6: converted = (ConvertedType)r.ReadI32(f); break;
                case 10:
                    r.ExpectStruct(f);
                    logical = LogicalType.Read(r);
                    break;
                default: r.Skip(f.Type); break;
            }
        }
        return new SchemaElement
        {
            Name = Required.Field(name, nameof(SchemaElement), "name"),
            Type = type,
            TypeLength = typeLength,
            Repetition = repetition,
            NumChildren = numChildren,
            ConvertedType = converted,
            LogicalType = logical,
        };
    }
}
