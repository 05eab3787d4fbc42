namespace CrossVideoMAE.Stages.Parquet.Thrift;

/// <summary>One field header read from a struct: its id, its wire type and the struct it
/// belongs to (for error messages).</summary>
public readonly record struct ThriftField(string Struct, short Id, CompactType Type)
{
    public override string ToString() => $"{Struct} field {Id}";
}
