using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Stages.Feed;

/// <summary>
/// Hands out shard rows by (shard, row) while keeping the rows of at most <c>capacity</c> shards
/// in memory (the least recently used shard is dropped first). Each shard is opened through
/// <see cref="ShardReader.OpenAsync(string, ShardInfo, CancellationToken)"/>, so its size, SHA-256
/// and row count are checked against the index before a row is used; a mismatch is an
/// <see cref="InvalidDataException"/> naming the file. Rows hold the still-encoded JPEG frames.
/// </summary>
public sealed class ShardWindowReader(string shardDirectory, IReadOnlyList<ShardInfo> shards, int capacity)
{
    private readonly Dictionary<int, IReadOnlyList<ShardRow>> cached = new();
    private readonly LinkedList<int> recency = new();

    public int Loaded => cached.Count;

    /// <summary>The path of a shard, for messages.</summary>
    public string PathOf(int shard) => ShardLocation.Resolve(shardDirectory, shards[shard].File);

    public async ValueTask<ShardRow> GetAsync(int shard, long row, CancellationToken ct)
    {
        if (!cached.TryGetValue(shard, out IReadOnlyList<ShardRow>? rows))
        {
            while (cached.Count >= Math.Max(1, capacity))
            {
                cached.Remove(recency.Last!.Value);
                recency.RemoveLast();
            }
            rows = await LoadAsync(shard, ct).ConfigureAwait(false);
            cached[shard] = rows;
        }
        else recency.Remove(shard);
        recency.AddFirst(shard);
        if (row < 0 || row >= rows.Count) throw new InvalidDataException($"shard '{PathOf(shard)}' has {rows.Count} rows; row {row} was asked for");
        return rows[(int)row];
    }

    private async Task<IReadOnlyList<ShardRow>> LoadAsync(int shard, CancellationToken ct)
    {
        await using ShardReader reader = await ShardReader.OpenAsync(shardDirectory, shards[shard], ct).ConfigureAwait(false);
        var rows = new List<ShardRow>((int)reader.RowCount);
        await foreach (ShardRow r in reader.ReadRowsAsync(ct).ConfigureAwait(false)) rows.Add(r);
        return rows;
    }
}
