using Parquet;
using Parquet.Schema;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>Writes checked rows as one Parquet row group, column by column in schema order.</summary>
internal static class ShardRowGroupWriter
{
    public static async Task WriteAsync(ParquetWriter writer, ShardFields fields, IReadOnlyList<ShardRow> rows, CancellationToken ct)
    {
        using ParquetRowGroupWriter group = writer.CreateRowGroup();
        await group.WriteAsync(fields.VideoId, rows.Select(r => r.VideoId).ToArray()).ConfigureAwait(false);
        await Ints(group, fields.ClipIndex, rows, r => r.ClipIndex, ct).ConfigureAwait(false);
        await Ints(group, fields.Label, rows, r => r.Label, ct).ConfigureAwait(false);
        await group.WriteAsync(fields.LabelName, rows.Select(r => r.LabelName).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(fields.Split, rows.Select(r => r.Split).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(fields.SourcePath, rows.Select(r => r.SourcePath).ToArray()).ConfigureAwait(false);
        await group.WriteAsync<double>(fields.Fps, rows.Select(r => r.Fps).ToArray().AsMemory(), null, null, ct).ConfigureAwait(false);
        await Ints(group, fields.Width, rows, r => r.Width, ct).ConfigureAwait(false);
        await Ints(group, fields.Height, rows, r => r.Height, ct).ConfigureAwait(false);
        await Ints(group, fields.NumVideoFrames, rows, r => r.NumVideoFrames, ct).ConfigureAwait(false);
        await Ints(group, fields.ClipStart, rows, r => r.ClipStart, ct).ConfigureAwait(false);
        await Ints(group, fields.Stride, rows, r => r.Stride, ct).ConfigureAwait(false);
        await IntList(group, fields.FrameIndicesList, rows, r => r.FrameIndices, ct).ConfigureAwait(false);
        await group.WriteAsync<bool>(fields.Padded, rows.Select(r => r.Padded).ToArray().AsMemory(), null, null, ct).ConfigureAwait(false);
        await IntList(group, fields.SampledFrameIndicesList, rows, r => r.SampledFrameIndices, ct).ConfigureAwait(false);
        await IntList(group, fields.SampledPositionsList, rows, r => r.SampledPositions, ct).ConfigureAwait(false);
        for (int i = 0; i < fields.Frames.Count; i++)
            await group.WriteAsync(fields.Frames[i], rows.Select(r => r.Frames[i]).ToArray()).ConfigureAwait(false);
        for (int k = 0; k < fields.SampledFrames.Count; k++)
            await group.WriteAsync(fields.SampledFrames[k], rows.Select(r => r.SampledFrames[k]).ToArray()).ConfigureAwait(false);
        group.CompleteValidate();
    }

    private static Task Ints(ParquetRowGroupWriter group, DataField field, IReadOnlyList<ShardRow> rows, Func<ShardRow, int> value, CancellationToken ct) =>
        group.WriteAsync<int>(field, rows.Select(value).ToArray().AsMemory(), null, null, ct);

    /// <summary>A LIST&lt;INT32&gt; column: the elements of all rows in order, every one defined
    /// (definition level = the maximum), repetition level 0 where a row's list starts, 1 after.</summary>
    private static Task IntList(ParquetRowGroupWriter group, ListField list, IReadOnlyList<ShardRow> rows, Func<ShardRow, IReadOnlyList<int>> value, CancellationToken ct)
    {
        DataField element = ShardFields.ElementOf(list);
        int total = rows.Sum(r => value(r).Count);
        var values = new int[total];
        var repetition = new int[total];
        int at = 0;
        foreach (ShardRow row in rows)
        {
            IReadOnlyList<int> items = value(row);
            for (int i = 0; i < items.Count; i++, at++)
            {
                values[at] = items[i];
                repetition[at] = i == 0 ? 0 : 1;
            }
        }
        int[] definition = new int[total];
        Array.Fill(definition, element.MaxDefinitionLevel);
        return group.WriteAllPartsAsync<int>(element, values, definition, repetition, ct);
    }
}
