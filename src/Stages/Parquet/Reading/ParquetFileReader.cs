using CrossVideoMAE.Stages.Parquet.Format;
using CrossVideoMAE.Stages.Parquet.Schema;

namespace CrossVideoMAE.Stages.Parquet.Reading;

/// <summary>
/// Reads flat Parquet files: the footer is parsed and checked on open, then row groups are
/// read one at a time (one column chunk in memory at a time while decoding). Malformed input
/// throws <see cref="InvalidDataException"/> naming the file and the reason. Not thread-safe:
/// one reader reads one row group at a time from its stream.
/// </summary>
public sealed class ParquetFileReader : IAsyncDisposable, IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;

    private ParquetFileReader(Stream stream, string name, bool leaveOpen, FooterReader.Footer footer)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Name = name;
        Metadata = footer.Metadata;
        Schema = footer.Schema;
        KeyValueMetadata = footer.Metadata.KeyValueMetadata
            .GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal);
    }

    /// <summary>The file name used in error messages.</summary>
    public string Name { get; }

    public FileMetaData Metadata { get; }

    public ParquetSchema Schema { get; }

    public IReadOnlyDictionary<string, string> KeyValueMetadata { get; }

    public long RowCount => Metadata.NumRows;

    public int RowGroupCount => Metadata.RowGroups.Count;

    public int RowGroupRowCount(int index) => (int)Metadata.RowGroups[index].NumRows;

    public static async Task<ParquetFileReader> OpenAsync(string path, CancellationToken ct = default)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        try
        {
            return await OpenAsync(stream, path, leaveOpen: false, ct).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a seekable stream; <paramref name="name"/> identifies it in error messages.</summary>
    public static async Task<ParquetFileReader> OpenAsync(Stream stream, string name, bool leaveOpen = false, CancellationToken ct = default)
    {
        if (!stream.CanRead || !stream.CanSeek) throw new ArgumentException("a Parquet file needs a readable, seekable stream", nameof(stream));
        FooterReader.Footer footer;
        try
        {
            footer = await FooterReader.ReadAsync(stream, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw Invalid(name, e.Message, e);
        }
        return new ParquetFileReader(stream, name, leaveOpen, footer);
    }

    /// <summary>Reads one row group: every column, or only the named ones (in schema order).</summary>
    public async Task<RowGroupData> ReadRowGroupAsync(int index, IReadOnlyCollection<string>? columns = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowGroupCount);
        if (columns is not null)
        {
            foreach (string name in columns) Schema.IndexOf(name);
        }
        RowGroup group = Metadata.RowGroups[index];
        int rowCount = (int)group.NumRows;
        var result = new List<ColumnData>();
        for (int c = 0; c < Schema.Columns.Count; c++)
        {
            ParquetColumn column = Schema.Columns[c];
            if (columns is not null && !columns.Contains(column.Name)) continue;
            ColumnMetaData meta = group.Columns[c].MetaData!;
            try
            {
                byte[] chunk = new byte[meta.TotalCompressedSize];
                _stream.Position = meta.ChunkStart;
                await _stream.ReadExactlyAsync(chunk, ct).ConfigureAwait(false);
                result.Add(ColumnChunkReader.Read(column, meta, chunk, rowCount));
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
            {
                throw Invalid(Name, $"row group {index}, column '{column.Name}': {e.Message}", e);
            }
        }
        return new RowGroupData(index, rowCount, result);
    }

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_leaveOpen) await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private static InvalidDataException Invalid(string name, string reason, Exception inner) =>
        new($"Parquet file '{name}' is invalid: {reason}", inner);
}
