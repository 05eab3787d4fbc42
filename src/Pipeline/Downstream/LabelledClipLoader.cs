using System.Runtime.CompilerServices;
using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Stages.Feed;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// Reads the labelled clips of one split of a prepared dataset (index.json plus its shards) for
/// evaluation: rows whose <c>Split</c> matches, decoded, passed through <see cref="EvalTransform"/>
/// and stacked into batches. Sequential and memory bounded: one row group and one batch at a time.
/// The rows of one video with different <c>ClipIndex</c> are its temporal clips; <c>maxClipsPerVideo</c>
/// keeps the first K of them (multi-view testing with K temporal clips).
/// </summary>
public sealed class LabelledClipLoader
{
    private LabelledClipLoader(string indexPath, ShardIndex index)
    {
        IndexPath = indexPath;
        Index = index;
    }

    public string IndexPath { get; }
    public ShardIndex Index { get; }
    public string ShardDirectory => Path.GetDirectoryName(Path.GetFullPath(IndexPath))!;

    /// <summary>Classes: one more than the largest label index.</summary>
    public int NumClasses => Index.Labels.Count == 0 ? 0 : Index.Labels.Values.Max() + 1;

    /// <summary>Class names by label index (a gap gets "class {i}").</summary>
    public string[] ClassNames
    {
        get
        {
            var names = Enumerable.Range(0, NumClasses).Select(i => $"class {i}").ToArray();
            foreach (var (name, label) in Index.Labels) names[label] = name;
            return names;
        }
    }

    /// <summary>Frames per clip (T), from the index's prepare config.</summary>
    public int ClipLength => Index.Config.ClipLength;

    public static async Task<LabelledClipLoader> OpenAsync(string indexPath, CancellationToken ct = default) =>
        new(indexPath, await ShardIndexFile.LoadAsync(indexPath, ct).ConfigureAwait(false));

    /// <summary>Rows per split, from index.json (no shard is read).</summary>
    public Task<IReadOnlyDictionary<string, int>> CountSplitsAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<string, int>>(Index.Splits.Where(kv => kv.Value.Rows > 0).ToDictionary(kv => kv.Key, kv => (int)kv.Value.Rows, StringComparer.Ordinal));

    /// <summary>The held-out split: <paramref name="requested"/> when given, else "val" when it has rows, else "test".</summary>
    public async Task<string> HeldOutSplitAsync(string? requested, CancellationToken ct = default)
    {
        var counts = await CountSplitsAsync(ct).ConfigureAwait(false);
        string split = requested ?? (counts.ContainsKey("val") ? "val" : "test");
        if (!counts.ContainsKey(split))
            throw new InvalidDataException($"{IndexPath}: no rows in split '{split}' (splits present: {string.Join(", ", counts.Select(kv => $"{kv.Key} ({kv.Value})"))})");
        return split;
    }

    /// <summary>Checks that every shard of these splits exists with its listed size (no shard is read), so a
    /// missing or truncated held-out shard stops a job before it spends its time on the train split.</summary>
    public void CheckShardsPresent(params string[] splits)
    {
        foreach (ShardInfo shard in Index.SelectSplits(splits.Distinct(StringComparer.Ordinal).ToArray()).Shards) ShardReader.CheckPresent(ShardDirectory, shard);
    }

    /// <summary>The clips of <paramref name="split"/> in batches of at most <paramref name="batchSize"/>.</summary>
    public async IAsyncEnumerable<LabelledClipBatch> ReadAsync(string split, EvalTransform transform, int batchSize,
        int maxClipsPerVideo = int.MaxValue, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        if (maxClipsPerVideo < 1) throw new ArgumentOutOfRangeException(nameof(maxClipsPerVideo), maxClipsPerVideo, "at least one clip per video");
        using var decoder = new ShardRowDecoder();
        var keys = new List<ClipKey>();
        var views = new List<Tensor>();
        try
        {
            await foreach ((ShardRow row, string source) in RowsAsync(split, ct).ConfigureAwait(false))
            {
                if (row.Split != split || row.ClipIndex >= maxClipsPerVideo) continue;
                if (row.Label < 0 || row.Label >= NumClasses)
                    throw new InvalidDataException($"{source}: video '{row.VideoId}' has label {row.Label}, outside the index's {NumClasses} classes");
                using (DecodedSample sample = decoder.Decode(row, source))
                using (Tensor clip = sample.Clip.unsqueeze(0))                  // [1, T, H, W, 3]
                using (Tensor transformed = transform.Apply(clip))               // [1, V, 3, T, S, S]
                    views.Add(transformed.squeeze(0).DetachFromDisposeScope());  // [V, 3, T, S, S]
                keys.Add(new ClipKey(row.VideoId, row.ClipIndex, row.Label));
                if (keys.Count == batchSize) yield return Take(keys, views);
            }
            if (keys.Count > 0) yield return Take(keys, views);
        }
        finally
        {
            foreach (Tensor t in views) t.Dispose();
        }
    }

    private static LabelledClipBatch Take(List<ClipKey> keys, List<Tensor> views)
    {
        Tensor stacked = torch.stack(views.ToArray(), 0).DetachFromDisposeScope(); // [B, V, 3, T, S, S]
        foreach (Tensor t in views) t.Dispose();
        views.Clear();
        var batch = new LabelledClipBatch(keys.ToArray(), stacked);
        keys.Clear();
        return batch;
    }

    // The rows of the shards of one split, selected by name in the index.
    private async IAsyncEnumerable<(ShardRow row, string source)> RowsAsync(string split, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (ShardInfo shard in Index.SelectSplits(split).Shards)
        {
            await using ShardReader reader = await ShardReader.OpenAsync(ShardDirectory, shard, ct).ConfigureAwait(false);
            await foreach (ShardRow row in reader.ReadRowsAsync(ct).ConfigureAwait(false)) yield return (row, reader.Path);
        }
    }
}
