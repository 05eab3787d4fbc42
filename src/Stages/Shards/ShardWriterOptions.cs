namespace CrossVideoMAE.Stages.Shards;

/// <summary>Settings of <see cref="ShardWriter"/>.</summary>
public sealed record ShardWriterOptions
{
    public const long DefaultMaxShardBytes = 256L * 1024 * 1024;

    /// <summary>A new shard is started before a row would take the current one past this size.
    /// A shard exceeds it only when a single row is larger.</summary>
    public long MaxShardBytes { get; init; } = DefaultMaxShardBytes;

    /// <summary>Row group size inside a shard: the unit a reader holds in memory (and the writer
    /// holds before writing it). Shards are never compressed: JPEG frames do not compress further.</summary>
    public long RowGroupBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Sequence number of the first shard this writer creates (a resumed run continues the numbering).</summary>
    public int FirstSequence { get; init; }

    internal void Validate()
    {
        if (FirstSequence < 0) throw new ArgumentOutOfRangeException(nameof(FirstSequence), FirstSequence, "must not be negative");
        if (MaxShardBytes <= 0) throw new ArgumentOutOfRangeException(nameof(MaxShardBytes), MaxShardBytes, "must be positive");
        if (RowGroupBytes <= 0) throw new ArgumentOutOfRangeException(nameof(RowGroupBytes), RowGroupBytes, "must be positive");
    }
}
