using System.Text;
using CrossVideoMAE.Stages.Parquet.Format;
using CrossVideoMAE.Stages.Parquet.Schema;

namespace CrossVideoMAE.Stages.Parquet.Writing;

/// <summary>
/// Streams rows of a flat schema into a Parquet file: <see cref="AppendRowAsync"/> buffers a
/// row into the open row group, which is written out once its encoded size reaches
/// <see cref="ParquetWriterOptions.RowGroupTargetBytes"/> (or on <see cref="FlushRowGroupAsync"/>),
/// and <see cref="CompleteAsync"/> writes the footer. Memory is bounded by one row group.
/// The output stream is written strictly sequentially (it need not be seekable).
/// Disposing without <see cref="CompleteAsync"/> leaves an incomplete file without a footer.
/// </summary>
public sealed class ParquetFileWriter : IAsyncDisposable
{
    private const int RowGroupFooterOverhead = 128;
    private const int ColumnChunkFooterOverhead = 256;

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly ParquetWriterOptions _options;
    private readonly ColumnWriter[] _columns;
    private readonly List<RowGroup> _rowGroups = [];
    private readonly long _pendingRowGroupFooterBytes;
    private long _position;
    private long _rowsInGroup;
    private long _footerBytes;
    private bool _completed;
    private bool _disposed;

    public ParquetFileWriter(Stream output, ParquetSchema schema, ParquetWriterOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("the output stream is not writable", nameof(output));
        _output = output;
        _leaveOpen = leaveOpen;
        Schema = schema;
        _options = options ?? new ParquetWriterOptions();
        _options.Validate();
        CompressionCodec codec = _options.Compression == ParquetCompression.Gzip ? CompressionCodec.Gzip : CompressionCodec.Uncompressed;
        _columns = schema.Columns.Select(c => new ColumnWriter(c, codec, _options.PageTargetBytes)).ToArray();
        _pendingRowGroupFooterBytes = RowGroupFooterOverhead
            + schema.Columns.Sum(c => ColumnChunkFooterOverhead + 2L * Encoding.UTF8.GetByteCount(c.Name));
        _footerBytes = FooterWriter.Serialize(Metadata()).Length;
    }

    public ParquetSchema Schema { get; }

    /// <summary>Rows appended so far, flushed or not.</summary>
    public long RowCount => _rowGroups.Sum(g => g.NumRows) + _rowsInGroup;

    public int RowGroupCount => _rowGroups.Count;

    /// <summary>Bytes written to the output so far.</summary>
    public long BytesWritten => _position;

    /// <summary>Encoded bytes of the open row group (an upper bound of what it will add to the file).</summary>
    public long BufferedBytes => _rowsInGroup == 0 ? 0 : _columns.Sum(c => c.BufferedBytes);

    /// <summary>An upper bound of the file's length if it were completed now.</summary>
    public long EstimatedLength =>
        Math.Max(_position, FooterWriter.Magic.Length) + BufferedBytes + _footerBytes + (_rowsInGroup > 0 ? _pendingRowGroupFooterBytes : 0);

    /// <summary>An upper bound of what appending <paramref name="values"/> can add to
    /// <see cref="EstimatedLength"/>: the encoded values plus, for every column, a fresh page
    /// header and the footer entry of a fresh row group.</summary>
    public long RowSizeUpperBound(IReadOnlyList<object?> values)
    {
        long bytes = RowGroupFooterOverhead;
        for (int i = 0; i < values.Count && i < _columns.Length; i++)
        {
            bytes += _columns[i].AppendUpperBound(values[i])
                + ColumnChunkFooterOverhead + 2L * Encoding.UTF8.GetByteCount(_columns[i].Column.Name);
        }
        return bytes;
    }

    /// <summary>Appends one row: one value per column in schema order, typed as
    /// <see cref="ParquetColumn.ClrType"/>, null only in optional columns.</summary>
    public async ValueTask AppendRowAsync(IReadOnlyList<object?> values, CancellationToken ct = default)
    {
        EnsureWritable();
        if (values.Count != _columns.Length)
            throw new ArgumentException($"row has {values.Count} values but the schema has {_columns.Length} columns", nameof(values));
        for (int i = 0; i < _columns.Length; i++) CheckValue(Schema.Columns[i], values[i]);

        for (int i = 0; i < _columns.Length; i++) _columns[i].Append(values[i]);
        _rowsInGroup++;
        if (BufferedBytes >= _options.RowGroupTargetBytes) await FlushRowGroupAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Writes the open row group, if it holds any rows.</summary>
    public async ValueTask FlushRowGroupAsync(CancellationToken ct = default)
    {
        EnsureWritable();
        if (_rowsInGroup == 0) return;
        await EnsureHeaderAsync(ct).ConfigureAwait(false);
        if (_rowGroups.Count >= short.MaxValue) throw new InvalidOperationException($"a file holds at most {short.MaxValue} row groups");
        RowGroup group = await RowGroupWriter.WriteAsync(_columns, _rowsInGroup, (short)_rowGroups.Count, _output, _position, ct).ConfigureAwait(false);
        _rowGroups.Add(group);
        _position += group.TotalCompressedSize ?? 0;
        _rowsInGroup = 0;
        _footerBytes = FooterWriter.Serialize(Metadata()).Length;
    }

    /// <summary>Flushes the open row group, writes the footer and flushes the stream. The
    /// writer accepts no rows afterwards.</summary>
    public async ValueTask CompleteAsync(CancellationToken ct = default)
    {
        await FlushRowGroupAsync(ct).ConfigureAwait(false);
        await EnsureHeaderAsync(ct).ConfigureAwait(false);
        byte[] footer = FooterWriter.Serialize(Metadata());
        await _output.WriteAsync(footer, ct).ConfigureAwait(false);
        _position += footer.Length;
        await _output.FlushAsync(ct).ConfigureAwait(false);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_leaveOpen) await _output.DisposeAsync().ConfigureAwait(false);
    }

    private FileMetaData Metadata() =>
        FooterWriter.BuildMetadata(Schema, _rowGroups, _options.KeyValueMetadata, _options.CreatedBy);

    private async ValueTask EnsureHeaderAsync(CancellationToken ct)
    {
        if (_position > 0) return;
        await _output.WriteAsync(FooterWriter.Magic, ct).ConfigureAwait(false);
        _position = FooterWriter.Magic.Length;
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException("the Parquet file is already complete");
    }

    private static void CheckValue(ParquetColumn column, object? value)
    {
        if (value is null)
        {
            if (!column.Optional) throw new ArgumentException($"column '{column.Name}' is required but the row holds null");
            return;
        }
        if (value.GetType() != column.ClrType)
            throw new ArgumentException($"column '{column.Name}' ({column.Type}) takes {column.ClrType.Name} values, not {value.GetType().Name}");
    }
}
