namespace CrossVideoMAE.Stages.Parquet.Schema;

/// <summary>One column of a flat schema. An optional column may hold nulls (definition level 0).</summary>
public sealed record ParquetColumn(string Name, ParquetType Type, bool Optional = false)
{
    /// <summary>The CLR type of a non-null value: bool, int, long, float, double, string or byte[].</summary>
    public Type ClrType => Type switch
    {
        ParquetType.Boolean => typeof(bool),
        ParquetType.Int32 => typeof(int),
        ParquetType.Int64 => typeof(long),
        ParquetType.Float => typeof(float),
        ParquetType.Double => typeof(double),
        ParquetType.String => typeof(string),
        ParquetType.Binary => typeof(byte[]),
        _ => throw new ArgumentOutOfRangeException(nameof(Type), Type, null),
    };

    public override string ToString() => $"{Name} {Type}{(Optional ? " (optional)" : "")}";
}
