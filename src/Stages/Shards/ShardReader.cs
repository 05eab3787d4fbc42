using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using CrossVideoMAE.Stages.Parquet.Reading;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// Opens one shard after checking its SHA-256 against the expected value (the file is hashed
/// as a stream, never loaded whole), then yields its rows one row group at a time. Damage is
/// reported as <see cref="InvalidDataException"/> naming the file. Not thread-safe.
/// </summary>
public sealed class ShardReader : IAsyncDisposable
{
    private readonly ParquetFileReader _parquet;

    private ShardReader(string path, ParquetFileReader parquet, ShardLayout layout)
    {
        Path = path;
        _parquet = parquet;
        Layout = layout;
    }

    public string Path { get; }

    public ShardLayout Layout { get; }

    public long RowCount => _parquet.RowCount;

    public int RowGroupCount => _parquet.RowGroupCount;

    /// <summary>Opens a shard listed in an index whose folder is <paramref name="shardDirectory"/>: its path
    /// is resolved by <see cref="ShardLocation.Resolve"/> and the file must match the listed size, hash and row count.</summary>
    public static async Task<ShardReader> OpenAsync(string shardDirectory, ShardInfo shard, CancellationToken ct = default)
    {
        string path = ShardLocation.Resolve(shardDirectory, shard.File);
        long length = new FileInfo(path) is { Exists: true } info ? info.Length : throw new FileNotFoundException($"shard '{path}' does not exist", path);
        if (length != shard.Bytes) throw new InvalidDataException($"shard '{path}' has {length} bytes but the index lists {shard.Bytes}");
        ShardReader reader = await OpenAsync(path, shard.Sha256, ct).ConfigureAwait(false);
        if (reader.RowCount != shard.Rows)
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException($"shard '{path}' holds {reader.RowCount} rows but the index lists {shard.Rows}");
        }
        return reader;
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
            ParquetFileReader parquet = await ParquetFileReader.OpenAsync(stream, path, leaveOpen: false, ct).ConfigureAwait(false);
            ShardLayout layout;
            try
            {
                layout = ShardSchema.LayoutOf(parquet.Schema, parquet.KeyValueMetadata);
            }
            catch (InvalidDataException e)
            {
                await parquet.DisposeAsync().ConfigureAwait(false);
                throw new InvalidDataException($"shard '{path}' is invalid: {e.Message}", e);
            }
            return new ShardReader(path, parquet, layout);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The rows of one row group (the unit a shuffle can address).</summary>
    public async Task<IReadOnlyList<ShardRow>> ReadRowGroupAsync(int index, CancellationToken ct = default)
    {
        RowGroupData group = await _parquet.ReadRowGroupAsync(index, columns: null, ct).ConfigureAwait(false);
        var rows = new ShardRow[group.RowCount];
        try
        {
            for (int r = 0; r < rows.Length; r++) rows[r] = ShardSchema.FromRowGroup(group, r, Layout);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"shard '{Path}' is invalid: {e.Message}", e);
        }
        return rows;
    }

    /// <summary>All rows in file order, one row group in memory at a time.</summary>
    public async IAsyncEnumerable<ShardRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        for (int g = 0; g < RowGroupCount; g++)
        {
            foreach (ShardRow row in await ReadRowGroupAsync(g, ct).ConfigureAwait(false)) yield return row;
        }
    }

    public ValueTask DisposeAsync() => _parquet.DisposeAsync();
}
