namespace CrossVideoMAE.Stages.Parquet.Writing;

/// <summary>Page compression the writer offers.</summary>
public enum ParquetCompression
{
    Uncompressed,
    Gzip,
}

/// <summary>Settings of <see cref="ParquetFileWriter"/>.</summary>
public sealed record ParquetWriterOptions
{
    public ParquetCompression Compression { get; init; } = ParquetCompression.Uncompressed;

    /// <summary>A row group is flushed once its buffered (encoded) bytes reach this size; it is
    /// also the bound of the writer's memory.</summary>
    public long RowGroupTargetBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A data page is sealed once it reaches this size (a single larger value gets a page of its own).</summary>
    public int PageTargetBytes { get; init; } = 1024 * 1024;

    /// <summary>Key/value metadata stored in the footer.</summary>
    public IReadOnlyDictionary<string, string> KeyValueMetadata { get; init; } = new Dictionary<string, string>();

    public string CreatedBy { get; init; } = "CrossVideoMAE parquet writer version 1.0.0";

    internal void Validate()
    {
        if (RowGroupTargetBytes <= 0) throw new ArgumentOutOfRangeException(nameof(RowGroupTargetBytes), RowGroupTargetBytes, "must be positive");
        if (PageTargetBytes <= 0) throw new ArgumentOutOfRangeException(nameof(PageTargetBytes), PageTargetBytes, "must be positive");
        if (!Enum.IsDefined(Compression)) throw new ArgumentOutOfRangeException(nameof(Compression), Compression, null);
    }
}
