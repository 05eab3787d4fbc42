using CrossVideoMAE.Stages.Parquet.Schema;

namespace CrossVideoMAE.Stages.Parquet.Reading;

/// <summary>The columns read from one row group (all of them, or the requested subset).</summary>
public sealed class RowGroupData
{
    private readonly Dictionary<string, ColumnData> _byName;

    internal RowGroupData(int index, int rowCount, IReadOnlyList<ColumnData> columns)
    {
        Index = index;
        RowCount = rowCount;
        Columns = columns;
        _byName = columns.ToDictionary(c => c.Column.Name, StringComparer.Ordinal);
    }

    public int Index { get; }

    public int RowCount { get; }

    public IReadOnlyList<ColumnData> Columns { get; }

    public ColumnData this[string name] =>
        _byName.TryGetValue(name, out ColumnData? c) ? c : throw new KeyNotFoundException($"column '{name}' was not read from row group {Index}");
}
