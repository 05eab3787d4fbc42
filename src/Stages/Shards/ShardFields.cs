using Parquet.Schema;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// The Parquet.Net fields of one shard layout, in column order, and the check that a file's
/// schema is exactly this one (names, nesting, physical and logical types, REQUIRED leaves).
/// </summary>
public sealed class ShardFields
{
    internal ShardFields(ShardLayout layout)
    {
        Layout = layout;
        VideoId = Text(ShardSchema.VideoId);
        ClipIndex = Int(ShardSchema.ClipIndex);
        Label = Int(ShardSchema.Label);
        LabelName = Text(ShardSchema.LabelName);
        Split = Text(ShardSchema.Split);
        SourcePath = Text(ShardSchema.SourcePath);
        Fps = new DataField(ShardSchema.Fps, typeof(double), isNullable: false);
        Width = Int(ShardSchema.Width);
        Height = Int(ShardSchema.Height);
        NumVideoFrames = Int(ShardSchema.NumVideoFrames);
        ClipStart = Int(ShardSchema.ClipStart);
        Stride = Int(ShardSchema.Stride);
        FrameIndicesList = IntList(ShardSchema.FrameIndices);
        Padded = new DataField(ShardSchema.Padded, typeof(bool), isNullable: false);
        SampledFrameIndicesList = IntList(ShardSchema.SampledFrameIndices);
        SampledPositionsList = IntList(ShardSchema.SampledPositions);
        Frames = Enumerable.Range(0, layout.ClipLength).Select(i => Blob(ShardSchema.FrameColumn(i))).ToArray();
        SampledFrames = Enumerable.Range(0, layout.SampledFrames).Select(k => Blob(ShardSchema.SampledColumn(k))).ToArray();
        Schema = new ParquetSchema(
        [
            VideoId, ClipIndex, Label, LabelName, Split, SourcePath, Fps, Width, Height, NumVideoFrames, ClipStart, Stride,
            FrameIndicesList, Padded, SampledFrameIndicesList, SampledPositionsList, .. Frames, .. SampledFrames,
        ]);
    }

    public ShardLayout Layout { get; }
    public ParquetSchema Schema { get; }

    public DataField VideoId { get; }
    public DataField ClipIndex { get; }
    public DataField Label { get; }
    public DataField LabelName { get; }
    public DataField Split { get; }
    public DataField SourcePath { get; }
    public DataField Fps { get; }
    public DataField Width { get; }
    public DataField Height { get; }
    public DataField NumVideoFrames { get; }
    public DataField ClipStart { get; }
    public DataField Stride { get; }
    public ListField FrameIndicesList { get; }
    public DataField Padded { get; }
    public ListField SampledFrameIndicesList { get; }
    public ListField SampledPositionsList { get; }
    public IReadOnlyList<DataField> Frames { get; }
    public IReadOnlyList<DataField> SampledFrames { get; }

    /// <summary>The INT32 leaf of a LIST&lt;INT32&gt; column (the one values are written to and read from).</summary>
    public static DataField ElementOf(ListField list) => (DataField)list.Item;

    /// <summary>The first difference between <paramref name="file"/> and this schema, or null when they agree.</summary>
    public string? Mismatch(ParquetSchema file)
    {
        if (file.Fields.Count != Schema.Fields.Count)
            return $"{file.Fields.Count} top-level columns, expected {Schema.Fields.Count}";
        for (int i = 0; i < Schema.Fields.Count; i++)
        {
            Field expected = Schema.Fields[i], actual = file.Fields[i];
            if (actual.Name != expected.Name) return $"column {i} is '{ShardSchema.Truncate(actual.Name)}', expected '{expected.Name}'";
            if (actual.SchemaType != expected.SchemaType) return $"column '{expected.Name}' is a {actual.SchemaType}, expected a {expected.SchemaType}";
        }
        DataField[] expectedLeaves = Schema.GetDataFields(), actualLeaves = file.GetDataFields();
        if (actualLeaves.Length != expectedLeaves.Length) return $"{actualLeaves.Length} leaf columns, expected {expectedLeaves.Length}";
        for (int i = 0; i < expectedLeaves.Length; i++)
        {
            DataField e = expectedLeaves[i], a = actualLeaves[i];
            string path = e.Path.ToString();
            if (a.Path.ToString() != path) return $"leaf column {i} is '{ShardSchema.Truncate(a.Path.ToString())}', expected '{path}'";
            if (a.ClrType != e.ClrType) return $"column '{path}' holds {a.ClrType.Name}, expected {e.ClrType.Name}";
            if (a.IsNullable || a.IsArray != e.IsArray) return $"column '{path}' is not a required {(e.IsArray ? "list element" : "value")}";
            if (a.MaxDefinitionLevel != e.MaxDefinitionLevel || a.MaxRepetitionLevel != e.MaxRepetitionLevel)
                return $"column '{path}' has definition/repetition levels {a.MaxDefinitionLevel}/{a.MaxRepetitionLevel}, expected {e.MaxDefinitionLevel}/{e.MaxRepetitionLevel}";
        }
        return null;
    }

    private static DataField Int(string name) => new(name, typeof(int), isNullable: false);

    private static DataField Text(string name) => new(name, typeof(string), isNullable: false);

    private static DataField Blob(string name) => new(name, typeof(byte[]), isNullable: false);

    private static ListField IntList(string name) => new(name, new DataField<int>("element"));
}
