using Parquet;
using Parquet.Schema;

namespace CrossVideoMAE.Stages.Tests.Shards;

/// <summary>Writes a Parquet file that is not a shard (one INT32 column, chosen footer
/// key/values) through Parquet.Net directly, for the reader's refusals.</summary>
internal static class ForeignParquet
{
    public static async Task WriteAsync(string path, (string Name, int[] Values) column, Dictionary<string, string> footer)
    {
        var field = new DataField<int>(column.Name);
        await using FileStream file = File.Create(path);
        await using ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(field), file);
        writer.CustomMetadata = footer;
        using ParquetRowGroupWriter group = writer.CreateRowGroup();
        await group.WriteAsync<int>(field, column.Values.AsMemory(), null, null, CancellationToken.None);
        group.CompleteValidate();
    }
}
