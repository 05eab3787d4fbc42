using Parquet;
using Parquet.Schema;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// Reads one row group of a shard whose footer passed <see cref="ShardFooterCheck"/> into rows.
/// Buffers start filled with values no stored row can hold (int.MinValue, NaN, null), so a
/// column that decodes short shows up in <see cref="ShardRowRules.Check"/>; list columns must
/// have every element defined and one list of the layout's length per row.
/// </summary>
internal static class ShardRowGroupReader
{
    /// <summary>Leaf indices in schema order (see <see cref="ShardFields"/>).</summary>
    private const int VideoId = 0, ClipIndex = 1, Label = 2, LabelName = 3, Split = 4, SourcePath = 5, Fps = 6, Width = 7,
        Height = 8, NumVideoFrames = 9, ClipStart = 10, Stride = 11, FrameIndices = 12, Padded = 13, SampledFrameIndices = 14,
        SampledPositions = 15, FirstFrame = 16;

    public static async Task<ShardRow[]> ReadAsync(ParquetRowGroupReader group, DataField[] leaves, ShardLayout layout, int rows, CancellationToken ct)
    {
        int t = layout.ClipLength, n = layout.SampledFrames;
        string[] videoId = await StringsAsync(group, leaves[VideoId], rows, ct).ConfigureAwait(false);
        int[] clipIndex = await IntsAsync(group, leaves[ClipIndex], rows, ct).ConfigureAwait(false);
        int[] label = await IntsAsync(group, leaves[Label], rows, ct).ConfigureAwait(false);
        string[] labelName = await StringsAsync(group, leaves[LabelName], rows, ct).ConfigureAwait(false);
        string[] split = await StringsAsync(group, leaves[Split], rows, ct).ConfigureAwait(false);
        string[] sourcePath = await StringsAsync(group, leaves[SourcePath], rows, ct).ConfigureAwait(false);
        var fps = new double[rows];
        Array.Fill(fps, double.NaN);
        await group.ReadAsync<double>(leaves[Fps], fps.AsMemory(), null, ct).ConfigureAwait(false);
        int[] width = await IntsAsync(group, leaves[Width], rows, ct).ConfigureAwait(false);
        int[] height = await IntsAsync(group, leaves[Height], rows, ct).ConfigureAwait(false);
        int[] numVideoFrames = await IntsAsync(group, leaves[NumVideoFrames], rows, ct).ConfigureAwait(false);
        int[] clipStart = await IntsAsync(group, leaves[ClipStart], rows, ct).ConfigureAwait(false);
        int[] stride = await IntsAsync(group, leaves[Stride], rows, ct).ConfigureAwait(false);
        int[][] frameIndices = await IntListsAsync(group, leaves[FrameIndices], rows, t, ct).ConfigureAwait(false);
        var padded = new bool[rows];
        await group.ReadAsync<bool>(leaves[Padded], padded.AsMemory(), null, ct).ConfigureAwait(false);
        int[][] sampledFrameIndices = await IntListsAsync(group, leaves[SampledFrameIndices], rows, n, ct).ConfigureAwait(false);
        int[][] sampledPositions = await IntListsAsync(group, leaves[SampledPositions], rows, n, ct).ConfigureAwait(false);
        var frames = new byte[t][][];
        for (int i = 0; i < t; i++) frames[i] = await BlobsAsync(group, leaves[FirstFrame + i], rows, ct).ConfigureAwait(false);
        var sampled = new byte[n][][];
        for (int k = 0; k < n; k++) sampled[k] = await BlobsAsync(group, leaves[FirstFrame + t + k], rows, ct).ConfigureAwait(false);

        var result = new ShardRow[rows];
        for (int r = 0; r < rows; r++)
        {
            result[r] = new ShardRow
            {
                VideoId = videoId[r],
                ClipIndex = clipIndex[r],
                Label = label[r],
                LabelName = labelName[r],
                Split = split[r],
                SourcePath = sourcePath[r],
                Fps = fps[r],
                Width = width[r],
                Height = height[r],
                NumVideoFrames = numVideoFrames[r],
                ClipStart = clipStart[r],
                Stride = stride[r],
                FrameIndices = frameIndices[r],
                Padded = padded[r],
                Frames = Column(frames, r),
                SampledFrameIndices = sampledFrameIndices[r],
                SampledPositions = sampledPositions[r],
                SampledFrames = Column(sampled, r),
            };
            string? problem = ShardRowRules.Check(result[r], layout);
            if (problem is not null) throw new InvalidDataException($"row {r} (video '{ShardSchema.Truncate(result[r].VideoId ?? "")}') is invalid: {problem}");
        }
        return result;
    }

    private static byte[][] Column(byte[][][] columns, int r)
    {
        var values = new byte[columns.Length][];
        for (int i = 0; i < columns.Length; i++) values[i] = columns[i][r];
        return values;
    }

    private static async Task<int[]> IntsAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct)
    {
        var values = new int[rows];
        Array.Fill(values, int.MinValue);
        await group.ReadAsync<int>(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        return values;
    }

    private static async Task<string[]> StringsAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct)
    {
        var values = new string?[rows];
        await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        return values!;
    }

    private static async Task<byte[][]> BlobsAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct)
    {
        var values = new byte[]?[rows];
        await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        return values!;
    }

    /// <summary>A LIST&lt;INT32&gt; column of <paramref name="length"/> elements per row.</summary>
    private static async Task<int[][]> IntListsAsync(ParquetRowGroupReader group, DataField element, int rows, int length, CancellationToken ct)
    {
        int total = rows * length;
        var values = new int[total];
        var definition = new int[total];
        var repetition = new int[total];
        Array.Fill(values, int.MinValue);
        Array.Fill(definition, -1);
        Array.Fill(repetition, -1);
        await group.ReadRawAsync<int>(element, values.AsMemory(), definition.AsMemory(), repetition.AsMemory(), ct).ConfigureAwait(false);
        string? name = element.Path.FirstPart;
        var lists = new int[rows][];
        for (int r = 0; r < rows; r++)
        {
            lists[r] = new int[length];
            for (int i = 0; i < length; i++)
            {
                int at = r * length + i;
                if (definition[at] != element.MaxDefinitionLevel) throw new InvalidDataException($"{name} of row {r} is null or shorter than {length}");
                if (repetition[at] != (i == 0 ? 0 : 1)) throw new InvalidDataException($"{name} of row {r} does not have exactly {length} entries");
                lists[r][i] = values[at];
            }
        }
        return lists;
    }
}
