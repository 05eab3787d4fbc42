using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Parquet;
using Parquet.Schema;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// Reads a format-2 shard through Parquet.Net, one row group at a time, and returns only rows
/// that pass every check; anything wrong is an <see cref="InvalidDataException"/> naming the
/// file and the reason (Parquet.Net's own exceptions included). Opened from a manifest entry or
/// with an expected SHA-256, the file is hashed (as a stream, never loaded whole) before any
/// parse; opened without one, each row group's content is checked against the SHA-256 the
/// writer put in the footer. Format-1 shards are refused with a message to re-run prepare.
/// Not thread-safe.
/// </summary>
public sealed class ShardReader : IAsyncDisposable
{
    private readonly ParquetReader _parquet;
    private readonly DataField[] _leaves;
    private readonly long[] _groupRows;
    private readonly string[] _digests;
    private readonly bool _checkContent;

    private ShardReader(string path, ParquetReader parquet, ShardLayout layout, DataField[] leaves, long[] groupRows, string[] digests, bool checkContent)
    {
        Path = path;
        _parquet = parquet;
        Layout = layout;
        _leaves = leaves;
        _groupRows = groupRows;
        _digests = digests;
        _checkContent = checkContent;
    }

    public string Path { get; }

    public ShardLayout Layout { get; }

    public long RowCount => _groupRows.Sum();

    public int RowGroupCount => _groupRows.Length;

    /// <summary>Opens a shard listed in an index whose folder is <paramref name="shardDirectory"/>: its path
    /// is resolved by <see cref="ShardLocation.Resolve"/> and the file must match the listed size, hash and row count.</summary>
    public static async Task<ShardReader> OpenAsync(string shardDirectory, ShardInfo shard, CancellationToken ct = default)
    {
        string path = CheckPresent(shardDirectory, shard);
        ShardReader reader = await OpenAsync(path, shard.Sha256, ct).ConfigureAwait(false);
        if (reader.RowCount != shard.Rows)
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException($"shard '{path}' holds {reader.RowCount} rows but the index lists {shard.Rows}");
        }
        return reader;
    }

    /// <summary>The cheap part of <see cref="OpenAsync(string, ShardInfo, CancellationToken)"/>'s checks, for a job to
    /// run over all its shards before hours of work: the listed shard exists and has the listed size (no read).
    /// Returns its path.</summary>
    public static string CheckPresent(string shardDirectory, ShardInfo shard)
    {
        string path = ShardLocation.Resolve(shardDirectory, shard.File);
        long length = new FileInfo(path) is { Exists: true } info ? info.Length : throw new FileNotFoundException($"shard '{path}' does not exist", path);
        if (length != shard.Bytes) throw new InvalidDataException($"shard '{path}' has {length} bytes but the index lists {shard.Bytes}");
        return path;
    }

    /// <summary>Opens a shard whose SHA-256 (64 hex digits) must equal <paramref name="expectedSha256"/>.</summary>
    public static async Task<ShardReader> OpenAsync(string path, string expectedSha256, CancellationToken ct = default)
    {
        if (expectedSha256 is not { Length: 64 } || !expectedSha256.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"expected SHA-256 '{expectedSha256}' is not 64 hex digits", nameof(expectedSha256));
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        try
        {
            string actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"shard '{path}' failed its SHA-256 check: expected {expectedSha256.ToLowerInvariant()}, found {actual}");
            stream.Position = 0;
            return await OpenStreamAsync(path, stream, checkContent: false, ct).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a shard without a manifest (e.g. one handed over on its own): every row
    /// group is checked against the content SHA-256 in the footer as it is read.</summary>
    public static async Task<ShardReader> OpenUnlistedAsync(string path, CancellationToken ct = default)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        try
        {
            return await OpenStreamAsync(path, stream, checkContent: true, ct).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<ShardReader> OpenStreamAsync(string path, FileStream stream, bool checkContent, CancellationToken ct)
    {
        ParquetReader? parquet = null;
        try
        {
            if (stream.Length < 12) throw new InvalidDataException($"{stream.Length} bytes is too short for a Parquet file");
            parquet = await ParquetReader.CreateAsync(stream, new ParquetOptions(), leaveStreamOpen: false, ct).ConfigureAwait(false);
            ShardLayout layout = ShardSchema.LayoutOf(parquet.Schema, parquet.CustomMetadata);
            DataField[] leaves = parquet.Schema.GetDataFields();
            if (parquet.Metadata is null) throw new InvalidDataException("the footer could not be read");
            long[] groupRows = ShardFooterCheck.Check(parquet.Metadata, leaves, layout, stream.Length);
            string[] digests = Digests(parquet.CustomMetadata, groupRows.Length);
            return new ShardReader(path, parquet, layout, leaves, groupRows, digests, checkContent);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (parquet is not null) await DisposeQuietlyAsync(parquet).ConfigureAwait(false);
            throw Invalid(path, e);
        }
    }

    private static string[] Digests(IReadOnlyDictionary<string, string> footer, int groups)
    {
        if (!footer.TryGetValue(ShardSchema.RowGroupDigestsKey, out string? text)) throw new InvalidDataException($"the footer has no {ShardSchema.RowGroupDigestsKey} entry");
        string[] digests = text.Length == 0 ? [] : text.Split(',');
        if (digests.Length != groups || digests.Any(d => d.Length != 64 || !d.All(char.IsAsciiHexDigit)))
            throw new InvalidDataException($"footer entry {ShardSchema.RowGroupDigestsKey} does not hold one SHA-256 for each of the {groups} row groups");
        return digests;
    }

    /// <summary>The rows of one row group (the unit a shuffle can address).</summary>
    public async Task<IReadOnlyList<ShardRow>> ReadRowGroupAsync(int index, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowGroupCount);
        try
        {
            ParquetRowGroupReader group = _parquet.OpenRowGroupReader(index);
            ShardRow[] rows = await ShardRowGroupReader.ReadAsync(group, _leaves, Layout, checked((int)_groupRows[index]), ct).ConfigureAwait(false);
            if (_checkContent && ShardRowDigest.Of(rows) != _digests[index].ToLowerInvariant())
                throw new InvalidDataException($"row group {index} does not match its content SHA-256 in the footer");
            return rows;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Invalid(Path, e, $"row group {index}: ");
        }
    }

    /// <summary>All rows in file order, one row group in memory at a time.</summary>
    public async IAsyncEnumerable<ShardRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        for (int g = 0; g < RowGroupCount; g++)
        {
            foreach (ShardRow row in await ReadRowGroupAsync(g, ct).ConfigureAwait(false)) yield return row;
        }
    }

    public async ValueTask DisposeAsync() => await DisposeQuietlyAsync(_parquet).ConfigureAwait(false);

    private static async ValueTask DisposeQuietlyAsync(ParquetReader parquet)
    {
        try
        {
            await parquet.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Closing a read-only file handle that already failed to parse; the parse error is reported.
        }
    }

    /// <summary>The error a caller sees: the file, then our reason, or Parquet.Net's exception type and message.</summary>
    private static InvalidDataException Invalid(string path, Exception e, string where = "")
    {
        string reason = e is InvalidDataException ? e.Message : $"Parquet.Net could not read it ({e.GetType().Name}: {e.Message})";
        return new InvalidDataException($"shard '{path}' is invalid: {where}{reason}", e);
    }
}
