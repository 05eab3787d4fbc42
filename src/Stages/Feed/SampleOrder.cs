using CrossVideoMAE.Stages.Sampling;

namespace CrossVideoMAE.Stages.Feed;

/// <summary>
/// The order in which an epoch visits the samples of a set of shards, decided by (seed, epoch)
/// alone: shards are permuted, then rows are permuted within windows of consecutive shards
/// (so a reader keeps only a few shards open), as MosaicML streaming does. Any position of an
/// epoch can be reached directly, which is what lets a killed run resume mid-epoch.
/// </summary>
public sealed class SampleOrder
{
    private readonly IReadOnlyList<long> shardRows;
    private readonly int windowShards;
    private readonly ulong seed;

    /// <param name="shardRows">row count of each shard, in manifest order</param>
    /// <param name="windowShards">how many consecutive (permuted) shards are mixed together</param>
    public SampleOrder(IReadOnlyList<long> shardRows, ulong seed, int windowShards = 4)
    {
        if (windowShards < 1) throw new ArgumentOutOfRangeException(nameof(windowShards));
        if (shardRows.Any(r => r < 0)) throw new ArgumentException("row counts must be non-negative");
        this.shardRows = shardRows;
        this.windowShards = windowShards;
        this.seed = seed;
        Total = shardRows.Sum();
    }

    public long Total { get; }

    /// <summary>The (shard, row) pairs of an epoch in visiting order, starting at sample <paramref name="skip"/>.</summary>
    public IEnumerable<(int shard, long row)> Epoch(int epoch, long skip = 0)
    {
        if (skip < 0 || skip > Total) throw new ArgumentOutOfRangeException(nameof(skip), skip, $"an epoch has {Total} samples");
        int[] shards = Permutation(shardRows.Count, new Random(Seed(epoch, "shards")));
        long position = 0;
        for (int w = 0; w < shards.Length; w += windowShards)
        {
            int[] window = shards.Skip(w).Take(windowShards).ToArray();
            long windowSize = window.Sum(s => shardRows[s]);
            if (position + windowSize <= skip)
            {
                position += windowSize;
                continue;
            }
            var pairs = new List<(int, long)>((int)windowSize);
            foreach (int s in window)
                for (long r = 0; r < shardRows[s]; r++) pairs.Add((s, r));
            int[] order = Permutation(pairs.Count, new Random(Seed(epoch, "window", w)));
            foreach (int k in order)
            {
                if (position++ < skip) continue;
                yield return pairs[k];
            }
        }
    }

    /// <summary>
    /// One rank's share of an epoch for data-parallel training with a global batch of
    /// <paramref name="globalBatch"/> samples over <paramref name="worldSize"/> ranks: global batch k is
    /// positions [kB, (k+1)B) of <see cref="Epoch"/>'s order, and rank r takes its slice
    /// [kB + r·B/W, kB + (r+1)·B/W). The shares are disjoint, together they are the epoch's full
    /// batches, and every global batch holds the samples a one-rank run's batch k holds. Starts at
    /// global batch <paramref name="startBatch"/>; yields (shard, row, position in the epoch).
    /// </summary>
    public IEnumerable<(int shard, long row, long position)> RankShare(int epoch, int rank, int worldSize, int globalBatch, long startBatch = 0)
    {
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "at least one rank");
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in [0, {worldSize})");
        if (globalBatch < 1 || globalBatch % worldSize != 0)
            throw new ArgumentException($"the global batch {globalBatch} must be a positive multiple of the {worldSize} ranks");
        int local = globalBatch / worldSize;
        long full = Total / globalBatch * globalBatch;
        long position = startBatch * globalBatch;
        if (startBatch < 0 || position > full) throw new ArgumentOutOfRangeException(nameof(startBatch), startBatch, $"an epoch has {full / globalBatch} batches");
        foreach ((int shard, long row) in Epoch(epoch, position))
        {
            if (position >= full) yield break;
            long inBatch = position % globalBatch;
            if (inBatch >= (long)rank * local && inBatch < (long)(rank + 1) * local) yield return (shard, row, position);
            position++;
        }
    }

    private int Seed(int epoch, string purpose, int window = 0) =>
        (int)(StableHash.Derive(seed, $"epoch{epoch}", window, purpose) & 0x7FFFFFFF);

    // Fisher–Yates with a seeded System.Random (its sequence for a given seed is fixed).
    private static int[] Permutation(int n, Random rng)
    {
        int[] p = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
