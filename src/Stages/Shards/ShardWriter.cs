using CrossVideoMAE.Stages.Parquet.Writing;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// Writes <see cref="ShardRow"/>s into Parquet shards <c>&lt;prefix&gt;-00000.parquet</c>,
/// <c>-00001</c>, ... in one folder. A shard is written under a temporary name
/// (<c>.tmp</c> appended), hashed as it is written, flushed to disk and renamed when complete,
/// so a shard name that exists is always a whole file. A new shard starts before a row would
/// take the current one past <see cref="ShardWriterOptions.MaxShardBytes"/>, and before a row of
/// another split than the current shard's: every shard holds the rows of one split.
/// Not thread-safe: one writer is fed by one producer.
/// </summary>
public sealed class ShardWriter : IAsyncDisposable
{
    private const string TempSuffix = ".tmp";

    private readonly string _directory;
    private readonly string _prefix;
    private readonly ShardWriterOptions _options;
    private readonly List<ShardInfo> _completed = [];
    private OpenShard? _open;
    private string _openSplit = "";
    private int _nextSequence;
    private bool _disposed;

    public ShardWriter(string directory, string prefix, ShardLayout layout, ShardWriterOptions? options = null)
    {
        if (!ShardFileName.IsSafe(prefix)) throw new ArgumentException($"shard prefix '{prefix}' is not a plain file name (letters, digits, '.', '_', '-')", nameof(prefix));
        _options = options ?? new ShardWriterOptions();
        _options.Validate();
        Directory.CreateDirectory(directory);
        _directory = directory;
        _prefix = prefix;
        _nextSequence = _options.FirstSequence;
        Layout = layout;
    }

    public ShardLayout Layout { get; }

    /// <summary>The shards finished so far, in order.</summary>
    public IReadOnlyList<ShardInfo> Completed => _completed;

    /// <summary>Appends a row. Returns the shard this call finished (when the row did not fit
    /// into it and went to a new shard), otherwise null. Throws <see cref="ArgumentException"/>
    /// for a row that breaks the shard rules (see <see cref="ShardSchema.Check"/>).</summary>
    public async ValueTask<ShardInfo?> AppendAsync(ShardRow row, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        object?[] values = ShardSchema.ToValues(row, Layout);
        ShardInfo? finished = null;
        if (_open is not null && _open.Writer.RowCount > 0
            && (row.Split != _openSplit
                || _open.Writer.EstimatedLength + _open.Writer.RowSizeUpperBound(values) > _options.MaxShardBytes))
        {
            finished = await FinishOpenShardAsync(ct).ConfigureAwait(false);
        }
        if (_open is null)
        {
            _open = StartShard();
            _openSplit = row.Split;
        }
        await _open.Writer.AppendRowAsync(values, ct).ConfigureAwait(false);
        return finished;
    }

    /// <summary>Finishes the open shard, if any, and returns it.</summary>
    public async ValueTask<ShardInfo?> CompleteAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _open is null ? null : await FinishOpenShardAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Abandons an unfinished shard (its temporary file is deleted); finished shards stay.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (_open is null) return;
        OpenShard open = _open;
        _open = null;
        await open.DisposeStreamsAsync().ConfigureAwait(false);
        File.Delete(open.TempPath);
    }

    private OpenShard StartShard()
    {
        string name = ShardFileName.For(_prefix, _nextSequence++);
        string path = Path.Combine(_directory, name);
        if (File.Exists(path)) throw new IOException($"shard '{path}' already exists; refusing to overwrite it");
        string tempPath = path + TempSuffix;
        var file = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true);
        var hashing = new HashingWriteStream(file);
        var writer = new ParquetFileWriter(hashing, ShardSchema.For(Layout), new ParquetWriterOptions
        {
            Compression = _options.Compression,
            RowGroupTargetBytes = _options.RowGroupBytes,
            KeyValueMetadata = ShardSchema.FooterMetadata(Layout),
        }, leaveOpen: true);
        return new OpenShard(name, path, tempPath, file, hashing, writer);
    }

    private async ValueTask<ShardInfo> FinishOpenShardAsync(CancellationToken ct)
    {
        OpenShard open = _open!;
        _open = null;
        try
        {
            await open.Writer.CompleteAsync(ct).ConfigureAwait(false);
            await open.Hashing.FlushAsync(ct).ConfigureAwait(false);
            open.Disk.Flush(flushToDisk: true);
            var info = new ShardInfo(open.Name, open.Writer.RowCount, open.Hashing.BytesWritten, open.Hashing.HashHex(), _openSplit);
            await open.DisposeStreamsAsync().ConfigureAwait(false);
            long onDisk = new FileInfo(open.TempPath).Length;
            if (onDisk != info.Bytes) throw new IOException($"shard '{open.TempPath}' has {onDisk} bytes on disk but {info.Bytes} were written");
            File.Move(open.TempPath, open.FinalPath, overwrite: false);
            _completed.Add(info);
            return info;
        }
        catch
        {
            await open.DisposeStreamsAsync().ConfigureAwait(false);
            File.Delete(open.TempPath);
            throw;
        }
    }

    private sealed class OpenShard(string name, string finalPath, string tempPath, FileStream disk, HashingWriteStream hashing, ParquetFileWriter writer)
    {
        private bool _closed;

        public string Name => name;
        public string FinalPath => finalPath;
        public string TempPath => tempPath;
        public FileStream Disk => disk;
        public HashingWriteStream Hashing => hashing;
        public ParquetFileWriter Writer => writer;

        public async ValueTask DisposeStreamsAsync()
        {
            if (_closed) return;
            _closed = true;
            await Writer.DisposeAsync().ConfigureAwait(false);
            await Hashing.DisposeAsync().ConfigureAwait(false);
            await Disk.DisposeAsync().ConfigureAwait(false);
        }
    }
}
