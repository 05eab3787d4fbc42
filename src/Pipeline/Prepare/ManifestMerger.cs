using System.Security.Cryptography;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// Joins the index files of the parts of a scale-out run (--shard-index i --num-shards n, each part in
/// its own folder or all in one) into one index. The merged index lists each shard by its path relative
/// to the merged index's own folder (e.g. <c>../part0/x.parquet</c>), after checking that the shard
/// exists with its listed size and SHA-256. A set of parts that does not belong together is refused
/// naming the reason: another dataset, other settings or label map, parts of runs with a different
/// part count, a part missing or given twice, or an input in two parts (overlapping partitions).
/// </summary>
public static class ManifestMerger
{
    public static async Task<ShardIndex> MergeAsync(IReadOnlyList<string> partPaths, string outputPath, CancellationToken ct = default)
    {
        if (partPaths.Count == 0) throw new ArgumentException("give at least one part index to merge");
        var parts = new List<(string path, ShardIndex index)>();
        foreach (string p in partPaths) parts.Add((p, await ShardIndexFile.LoadAsync(p, ct)));

        var (firstPath, first) = parts[0];
        foreach (var (path, index) in parts.Skip(1))
        {
            if (index.Dataset != first.Dataset)
                throw new InvalidDataException($"{path}: dataset '{index.Dataset}' differs from '{first.Dataset}' in {firstPath}");
            string? difference = first.Config.RowSettingDifference(index.Config);
            if (difference is not null || index.Config != first.Config)
                throw new InvalidDataException($"{path}: prepare settings differ from those of {firstPath}{(difference is null ? "" : $": {difference}")}");
            if (!index.Labels.OrderBy(kv => kv.Key).SequenceEqual(first.Labels.OrderBy(kv => kv.Key)))
                throw new InvalidDataException($"{path}: label map differs from that of {firstPath}");
            if (index.Partition.Count != first.Partition.Count)
                throw new InvalidDataException($"{path}: part {index.Partition.Index} of {index.Partition.Count} belongs to another run than {firstPath} (part {first.Partition.Index} of {first.Partition.Count})");
        }
        int count = first.Partition.Count;
        var byPart = parts.GroupBy(x => x.index.Partition.Index).ToDictionary(g => g.Key, g => g.Select(x => x.path).ToList());
        var twice = byPart.FirstOrDefault(kv => kv.Value.Count > 1);
        if (twice.Value is not null) throw new InvalidDataException($"part {twice.Key} of {count} is given twice: {string.Join(", ", twice.Value)}");
        var missing = Enumerable.Range(0, count).Where(i => !byPart.ContainsKey(i)).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"part{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} of {count} {(missing.Count > 1 ? "are" : "is")} missing; merge all {count} parts");

        var owner = new Dictionary<(string, string), string>();
        foreach (var (path, index) in parts)
            foreach (InputRecord r in index.Inputs)
                if (!owner.TryAdd((r.Input, r.VideoId), path))
                    throw new InvalidDataException($"input '{r.Input}' (video '{r.VideoId}') is in both {owner[(r.Input, r.VideoId)]} and {path}: the parts' partitions overlap");

        string outDir = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        var shards = new List<ShardInfo>();
        var inputs = new List<InputRecord>();
        foreach (var (path, index) in parts.OrderBy(x => x.index.Partition.Index))
        {
            var renamed = new Dictionary<string, string>();
            foreach (ShardInfo s in index.Shards)
            {
                string full = ShardLocation.ResolveFromIndex(path, s);
                await CheckAsync(full, s, path, ct);
                renamed[s.File] = ShardLocation.Relative(outDir, full);
                shards.Add(s with { File = renamed[s.File] });
            }
            inputs.AddRange(index.Inputs.Select(r => r with { Shards = r.Shards.Select(f => renamed[f]).ToList() }));
        }
        var duplicate = shards.GroupBy(s => s.File).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidDataException($"shard '{duplicate.Key}' appears in more than one part");
        shards = shards.OrderBy(s => s.Split, StringComparer.Ordinal).ToList();
        var videos = inputs.Where(r => r.Rows > 0).GroupBy(r => r.Split).ToDictionary(g => g.Key, g => (long)g.Count());

        return first with
        {
            Created = DateTimeOffset.UtcNow,
            Version = parts.Max(x => x.index.Version),
            Partition = IndexPartition.Whole,
            Shards = shards,
            Splits = ShardIndex.SplitTotalsOf(shards, videos),
            Quarantine = parts.SelectMany(x => x.index.Quarantine).ToList(),
            Totals = new IndexTotals(parts.Sum(x => x.index.Totals.Inputs), parts.Sum(x => x.index.Totals.Rows),
                parts.Sum(x => x.index.Totals.Quarantined)),
            Changes = new IndexChanges(parts.Sum(x => x.index.Changes.Added), parts.Sum(x => x.index.Changes.Removed),
                parts.Sum(x => x.index.Changes.Changed), parts.Sum(x => x.index.Changes.Kept)),
            Inputs = inputs,
        };
    }

    private static async Task CheckAsync(string full, ShardInfo s, string part, CancellationToken ct)
    {
        var info = new FileInfo(full);
        if (!info.Exists) throw new InvalidDataException($"{part}: shard '{full}' does not exist");
        if (info.Length != s.Bytes) throw new InvalidDataException($"{part}: shard '{full}' has {info.Length} bytes but the part lists {s.Bytes}");
        await using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        string sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        if (sha != s.Sha256) throw new InvalidDataException($"{part}: shard '{full}' failed its SHA-256 check: the part lists {s.Sha256}, the file has {sha}");
    }
}
