using CrossVideoMAE.Stages.Parquet.Format;

namespace CrossVideoMAE.Stages.Parquet.Schema;

/// <summary>A flat schema: an ordered list of uniquely named columns, no nesting, no repetition.
/// Maps to and from the Parquet schema tree (a root group followed by one leaf per column).</summary>
public sealed class ParquetSchema
{
    private readonly Dictionary<string, int> _indexByName;

    public ParquetSchema(IEnumerable<ParquetColumn> columns)
    {
        Columns = columns.ToArray();
        if (Columns.Count == 0) throw new ArgumentException("a schema needs at least one column", nameof(columns));
        _indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Columns.Count; i++)
        {
            string name = Columns[i].Name;
            if (string.IsNullOrEmpty(name)) throw new ArgumentException($"column {i} has no name", nameof(columns));
            if (!_indexByName.TryAdd(name, i)) throw new ArgumentException($"column name '{name}' appears twice", nameof(columns));
        }
    }

    public IReadOnlyList<ParquetColumn> Columns { get; }

    public ParquetColumn this[string name] => Columns[IndexOf(name)];

    public int IndexOf(string name) =>
        _indexByName.TryGetValue(name, out int i) ? i : throw new KeyNotFoundException($"no column named '{name}' in the schema");

    public bool Contains(string name) => _indexByName.ContainsKey(name);

    /// <summary>Same column names, types and optionality in the same order.</summary>
    public bool SameAs(ParquetSchema other) => Columns.SequenceEqual(other.Columns);

    public override string ToString() => string.Join(", ", Columns);

    internal IReadOnlyList<SchemaElement> ToSchemaElements()
    {
        var elements = new List<SchemaElement>(Columns.Count + 1)
        {
            new() { Name = "schema", NumChildren = Columns.Count },
        };
        foreach (ParquetColumn c in Columns)
        {
            elements.Add(new SchemaElement
            {
                Name = c.Name,
                Type = PhysicalTypeOf(c.Type),
                Repetition = c.Optional ? FieldRepetition.Optional : FieldRepetition.Required,
                ConvertedType = c.Type == ParquetType.String ? ConvertedType.Utf8 : null,
                LogicalType = c.Type == ParquetType.String ? LogicalType.String : null,
            });
        }
        return elements;
    }

    /// <summary>Builds the flat schema of a file; throws <see cref="InvalidDataException"/> for
    /// trees this codec does not read (nesting, repeated fields, INT96, fixed-length arrays).</summary>
    internal static ParquetSchema FromSchemaElements(IReadOnlyList<SchemaElement> elements)
    {
        if (elements.Count < 2) throw new InvalidDataException($"schema has {elements.Count} elements; a flat schema needs a root and at least one column");
        SchemaElement root = elements[0];
        if (root.NumChildren != elements.Count - 1)
            throw new InvalidDataException($"schema root has num_children={root.NumChildren?.ToString() ?? "unset"} but {elements.Count - 1} elements follow (nested schemas are not supported)");
        var columns = new List<ParquetColumn>(elements.Count - 1);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 1; i < elements.Count; i++)
        {
            SchemaElement e = elements[i];
            if (e.NumChildren is > 0 || e.Type is null)
                throw new InvalidDataException($"schema element '{e.Name}' is a group; nested schemas are not supported");
            if (!names.Add(e.Name)) throw new InvalidDataException($"schema has two columns named '{e.Name}'");
            if (e.Name.Length == 0) throw new InvalidDataException($"schema element {i} has an empty name");
            bool optional = e.Repetition switch
            {
                FieldRepetition.Required => false,
                FieldRepetition.Optional => true,
                FieldRepetition.Repeated => throw new InvalidDataException($"column '{e.Name}' is repeated; only flat schemas are supported"),
                null => throw new InvalidDataException($"column '{e.Name}' has no repetition type"),
                var other => throw new InvalidDataException($"column '{e.Name}' has unknown repetition type {(int)other}"),
            };
            columns.Add(new ParquetColumn(e.Name, ColumnTypeOf(e), optional));
        }
        return new ParquetSchema(columns);
    }

    internal static PhysicalType PhysicalTypeOf(ParquetType type) => type switch
    {
        ParquetType.Boolean => PhysicalType.Boolean,
        ParquetType.Int32 => PhysicalType.Int32,
        ParquetType.Int64 => PhysicalType.Int64,
        ParquetType.Float => PhysicalType.Float,
        ParquetType.Double => PhysicalType.Double,
        ParquetType.String or ParquetType.Binary => PhysicalType.ByteArray,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static ParquetType ColumnTypeOf(SchemaElement e) => e.Type switch
    {
        PhysicalType.Boolean => ParquetType.Boolean,
        PhysicalType.Int32 => ParquetType.Int32,
        PhysicalType.Int64 => ParquetType.Int64,
        PhysicalType.Float => ParquetType.Float,
        PhysicalType.Double => ParquetType.Double,
        PhysicalType.ByteArray => IsText(e) ? ParquetType.String : ParquetType.Binary,
        var other => throw new InvalidDataException($"column '{e.Name}' has physical type {other}, which this reader does not support"),
    };

    private static bool IsText(SchemaElement e) =>
        e.LogicalType?.IsText == true || e.ConvertedType is ConvertedType.Utf8 or ConvertedType.Enum or ConvertedType.Json;
}
