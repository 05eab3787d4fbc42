using Parquet;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>The shard a <see cref="ShardWriter"/> is filling: its temporary file, the hashing
/// stream in front of it, the Parquet.Net writer, the rows of the row group not yet written,
/// and the digests of the row groups written.</summary>
internal sealed class OpenShard(string name, string finalPath, string tempPath, FileStream disk, HashingWriteStream hashing, ParquetWriter parquet, ShardFields fields)
{
    private readonly List<ShardRow> _pending = [];
    private readonly List<string> _digests = [];
    private int _pendingLongestString;
    private long _writtenGroupsFooterBytes;
    private bool _closed;
    private bool _closingParquet;

    public string TempPath => tempPath;
    public string FinalPath => finalPath;

    /// <summary>Rows appended, written or pending.</summary>
    public long RowCount { get; private set; }

    /// <summary>Upper bound of the pending rows' value bytes.</summary>
    public long PendingBytes { get; private set; }

    private readonly int _columns = fields.Schema.GetDataFields().Length;

    /// <summary>An upper bound of the finished file's length if one more row of <paramref name="rowBytes"/> were added.</summary>
    public long EstimatedLengthWith(long rowBytes, int longestString)
    {
        int longest = Math.Max(_pendingLongestString, longestString);
        return hashing.BytesWritten + _writtenGroupsFooterBytes + PendingBytes + rowBytes
            + ShardSizeBound.RowGroupOverhead(_columns, longest) + ShardSizeBound.FooterBaseBytes;
    }

    public void Add(ShardRow row, long rowBytes, int longestString)
    {
        _pending.Add(row);
        PendingBytes += rowBytes;
        _pendingLongestString = Math.Max(_pendingLongestString, longestString);
        RowCount++;
    }

    public async Task FlushRowGroupAsync(CancellationToken ct)
    {
        if (_pending.Count == 0) return;
        await ShardRowGroupWriter.WriteAsync(parquet, fields, _pending, ct).ConfigureAwait(false);
        _digests.Add(ShardRowDigest.Of(_pending));
        _writtenGroupsFooterBytes += ShardSizeBound.RowGroupOverhead(_columns, _pendingLongestString);
        _pending.Clear();
        PendingBytes = 0;
        _pendingLongestString = 0;
    }

    /// <summary>Writes the last row group and the footer, flushes the file to disk and closes it.</summary>
    public async Task<ShardInfo> FinishAsync(string split, CancellationToken ct)
    {
        await FlushRowGroupAsync(ct).ConfigureAwait(false);
        Dictionary<string, string> footer = ShardSchema.FooterMetadata(fields.Layout);
        footer[ShardSchema.RowGroupDigestsKey] = string.Join(',', _digests);
        parquet.CustomMetadata = footer;
        _closingParquet = true;
        await parquet.DisposeAsync().ConfigureAwait(false);
        await hashing.FlushAsync(ct).ConfigureAwait(false);
        disk.Flush(flushToDisk: true);
        var info = new ShardInfo(name, RowCount, hashing.BytesWritten, hashing.HashHex(), split);
        await CloseStreamsAsync().ConfigureAwait(false);
        long onDisk = new FileInfo(tempPath).Length;
        if (onDisk != info.Bytes) throw new IOException($"shard '{tempPath}' has {onDisk} bytes on disk but {info.Bytes} were written");
        return info;
    }

    /// <summary>Closes everything and deletes the temporary file.</summary>
    public async Task AbandonAsync()
    {
        await CloseStreamsAsync().ConfigureAwait(false);
        File.Delete(tempPath);
    }

    private async Task CloseStreamsAsync()
    {
        if (_closed) return;
        _closed = true;
        if (!_closingParquet)
        {
            try
            {
                await parquet.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Closing an abandoned shard writes a footer that may fail (the stream is what
                // failed); the file is deleted anyway and the first error is what the caller sees.
            }
        }
        await hashing.DisposeAsync().ConfigureAwait(false);
        await disk.DisposeAsync().ConfigureAwait(false);
    }
}
