using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// Joins the index files of the parts of a scale-out run (--shard-index i --num-shards n) into one
/// index.json. The parts must describe the same dataset with the same settings and label map;
/// shards and quarantine lists are concatenated in part order and the totals added up.
/// </summary>
public static class ManifestMerger
{
    public static async Task<ShardIndex> MergeAsync(IReadOnlyList<string> partPaths, CancellationToken ct = default)
    {
        if (partPaths.Count == 0) throw new ArgumentException("give at least one part index to merge");
        var parts = new List<(string path, ShardIndex index)>();
        foreach (string p in partPaths) parts.Add((p, await ShardIndexFile.LoadAsync(p, ct)));

        var (firstPath, first) = parts[0];
        foreach (var (path, index) in parts.Skip(1))
        {
            if (index.Dataset != first.Dataset)
                throw new InvalidDataException($"{path}: dataset '{index.Dataset}' differs from '{first.Dataset}' in {firstPath}");
            if (index.Config != first.Config)
                throw new InvalidDataException($"{path}: prepare settings differ from those of {firstPath}");
            if (!index.Labels.OrderBy(kv => kv.Key).SequenceEqual(first.Labels.OrderBy(kv => kv.Key)))
                throw new InvalidDataException($"{path}: label map differs from that of {firstPath}");
        }
        var shards = parts.SelectMany(x => x.index.Shards).ToList();
        var duplicate = shards.GroupBy(s => s.File).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidDataException($"shard '{duplicate.Key}' appears in more than one part");

        return first with
        {
            Created = DateTimeOffset.UtcNow,
            Shards = shards,
            Quarantine = parts.SelectMany(x => x.index.Quarantine).ToList(),
            Totals = new IndexTotals(parts.Sum(x => x.index.Totals.Inputs), parts.Sum(x => x.index.Totals.Rows),
                parts.Sum(x => x.index.Totals.Quarantined)),
        };
    }
}
