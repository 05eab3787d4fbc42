using Parquet;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// Writes <see cref="ShardRow"/>s into Parquet shards (format 2, Parquet.Net, no compression)
/// <c>&lt;prefix&gt;-00000.parquet</c>, <c>-00001</c>, ... in one folder. Rows are held until
/// a row group of about <see cref="ShardWriterOptions.RowGroupBytes"/> is full. A shard is
/// written under a temporary name (<c>.tmp</c> appended), hashed as it is written, flushed to
/// disk and renamed when complete, so a shard name that exists is always a whole file. A new
/// shard starts before a row would take the current one past
/// <see cref="ShardWriterOptions.MaxShardBytes"/> (by <see cref="ShardSizeBound"/>'s upper bounds),
/// and before a row of another split than the current shard's: every shard holds the rows of one split.
/// Not thread-safe: one writer is fed by one producer.
/// </summary>
public sealed class ShardWriter : IAsyncDisposable
{
    private const string TempSuffix = ".tmp";

    private readonly string _directory;
    private readonly string _prefix;
    private readonly ShardWriterOptions _options;
    private readonly ShardFields _fields;
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
        _fields = ShardSchema.FieldsFor(layout);
    }

    public ShardLayout Layout { get; }

    /// <summary>The shards finished so far, in order.</summary>
    public IReadOnlyList<ShardInfo> Completed => _completed;

    /// <summary>Appends a row. Returns the shard this call finished (when the row did not fit
    /// into it and went to a new shard), otherwise null. Throws <see cref="ArgumentException"/>
    /// for a row that breaks the shard rules (see <see cref="ShardRowRules.Check"/>).</summary>
    public async ValueTask<ShardInfo?> AppendAsync(ShardRow row, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string? problem = ShardRowRules.Check(row, Layout);
        if (problem is not null) throw new ArgumentException($"shard row of video '{row.VideoId}' clip {row.ClipIndex} is invalid: {problem}", nameof(row));
        long rowBytes = ShardSizeBound.Row(row);
        int longest = ShardSizeBound.LongestString(row);
        ShardInfo? finished = null;
        if (_open is not null && _open.RowCount > 0
            && (row.Split != _openSplit || _open.EstimatedLengthWith(rowBytes, longest) > _options.MaxShardBytes))
        {
            finished = await FinishOpenShardAsync(ct).ConfigureAwait(false);
        }
        if (_open is null)
        {
            _open = await StartShardAsync(ct).ConfigureAwait(false);
            _openSplit = row.Split;
        }
        _open.Add(row, rowBytes, longest);
        if (_open.PendingBytes >= _options.RowGroupBytes) await _open.FlushRowGroupAsync(ct).ConfigureAwait(false);
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
        await open.AbandonAsync().ConfigureAwait(false);
    }

    private async ValueTask<OpenShard> StartShardAsync(CancellationToken ct)
    {
        string name = ShardFileName.For(_prefix, _nextSequence++);
        string path = Path.Combine(_directory, name);
        if (File.Exists(path)) throw new IOException($"shard '{path}' already exists; refusing to overwrite it");
        string tempPath = path + TempSuffix;
        var file = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true);
        var hashing = new HashingWriteStream(file);
        try
        {
            ParquetWriter parquet = await ParquetWriter.CreateAsync(_fields.Schema, hashing,
                new ParquetOptions { CompressionMethod = CompressionMethod.None }, append: false, ct).ConfigureAwait(false);
            return new OpenShard(name, path, tempPath, file, hashing, parquet, _fields);
        }
        catch
        {
            await hashing.DisposeAsync().ConfigureAwait(false);
            await file.DisposeAsync().ConfigureAwait(false);
            File.Delete(tempPath);
            throw;
        }
    }

    private async ValueTask<ShardInfo> FinishOpenShardAsync(CancellationToken ct)
    {
        OpenShard open = _open!;
        _open = null;
        try
        {
            ShardInfo info = await open.FinishAsync(_openSplit, ct).ConfigureAwait(false);
            File.Move(open.TempPath, open.FinalPath, overwrite: false);
            _completed.Add(info);
            return info;
        }
        catch
        {
            await open.AbandonAsync().ConfigureAwait(false);
            throw;
        }
    }
}
