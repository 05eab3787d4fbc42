using CrossVideoMAE.Stages.Parquet.Schema;
using CrossVideoMAE.Stages.Parquet.Writing;

namespace CrossVideoMAE.Stages.Tests.Parquet;

/// <summary>A table with every supported type, nulls in the optional columns, unicode text,
/// empty and non-empty blobs, and extreme integers; values are a function of the row id.</summary>
internal static class SampleTable
{
    public static readonly ParquetSchema Schema = new(
    [
        new ParquetColumn("id", ParquetType.Int32),
        new ParquetColumn("flag", ParquetType.Boolean),
        new ParquetColumn("i32", ParquetType.Int32),
        new ParquetColumn("i64", ParquetType.Int64, Optional: true),
        new ParquetColumn("f32", ParquetType.Float),
        new ParquetColumn("f64", ParquetType.Double, Optional: true),
        new ParquetColumn("text", ParquetType.String, Optional: true),
        new ParquetColumn("blob", ParquetType.Binary),
        new ParquetColumn("maybe_flag", ParquetType.Boolean, Optional: true),
    ]);

    public static object?[] Row(int id) =>
    [
        id,
        id % 3 == 0,
        id switch { 1 => int.MinValue, 2 => int.MaxValue, _ => id * 7 - 100 },
        id % 4 == 1 ? null : id == 2 ? long.MaxValue : id == 6 ? long.MinValue : id * 1_000_000_007L,
        id * 0.25f - 3.5f,
        id % 5 == 2 ? null : Math.PI * id - 1e-3,
        id % 6 == 3 ? null : Text(id),
        Blob(id),
        id % 7 == 0 ? null : id % 2 == 0,
    ];

    public static string Text(int id) => id % 2 == 0 ? $"héllo wörld ✓ 日本語 🎬 #{id}" : $"plain {id}";

    public static byte[] Blob(int id)
    {
        var bytes = new byte[id % 17];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(id * 31 + i * 7);
        return bytes;
    }

    public static async Task<ParquetFileWriter> WriteAsync(string path, int rows, ParquetWriterOptions options)
    {
        var writer = new ParquetFileWriter(File.Create(path), Schema, options);
        for (int id = 0; id < rows; id++) await writer.AppendRowAsync(Row(id));
        await writer.CompleteAsync();
        await writer.DisposeAsync();
        return writer;
    }
}
