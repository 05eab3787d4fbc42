using CrossVideoMAE.Stages.Parquet.Schema;

namespace CrossVideoMAE.Stages.Parquet.Reading;

/// <summary>The values of one column of one row group, indexed by row. Typed getters throw
/// <see cref="InvalidOperationException"/> when the column has another type or the row is null.</summary>
public sealed class ColumnData
{
    private readonly Array _values;
    private readonly bool[]? _nulls;

    internal ColumnData(ParquetColumn column, Array values, bool[]? nulls)
    {
        Column = column;
        _values = values;
        _nulls = nulls;
    }

    public ParquetColumn Column { get; }

    public int Count => _values.Length;

    public bool IsNull(int row) => _nulls is not null && _nulls[row];

    public bool GetBoolean(int row) => Get<bool>(row, ParquetType.Boolean);
    public int GetInt32(int row) => Get<int>(row, ParquetType.Int32);
    public long GetInt64(int row) => Get<long>(row, ParquetType.Int64);
    public float GetFloat(int row) => Get<float>(row, ParquetType.Float);
    public double GetDouble(int row) => Get<double>(row, ParquetType.Double);
    public string GetString(int row) => Get<string>(row, ParquetType.String);
    public byte[] GetBytes(int row) => Get<byte[]>(row, ParquetType.Binary);

    /// <summary>The value boxed as its CLR type, or null.</summary>
    public object? GetValue(int row) => IsNull(row) ? null : _values.GetValue(row);

    private T Get<T>(int row, ParquetType expected)
    {
        if (Column.Type != expected) throw new InvalidOperationException($"column '{Column.Name}' is {Column.Type}, not {expected}");
        if (IsNull(row)) throw new InvalidOperationException($"column '{Column.Name}' is null in row {row}");
        return ((T[])_values)[row];
    }
}
