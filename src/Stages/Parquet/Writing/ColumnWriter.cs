using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using CrossVideoMAE.Stages.Parquet.Encodings;
using CrossVideoMAE.Stages.Parquet.Format;
using CrossVideoMAE.Stages.Parquet.Schema;

namespace CrossVideoMAE.Stages.Parquet.Writing;

/// <summary>
/// Buffers one column of the open row group as finished data pages (v1, PLAIN values, RLE
/// definition levels for optional columns) and writes them out as one column chunk. A page is
/// sealed (levels + values, compressed) once it reaches the page target, so the memory held is
/// the row group's encoded pages plus one open page.
/// </summary>
internal sealed class ColumnWriter
{
    /// <summary>Upper bound of a serialised data page header (three i32 sizes and a DataPageHeader).</summary>
    internal const int PageHeaderAllowance = 64;

    /// <summary>Strings longer than this leave the chunk without min/max statistics.</summary>
    internal const int MaxStatisticsBytes = 64;

    private readonly CompressionCodec _codec;
    private readonly int _pageTargetBytes;

    // The open page.
    private readonly ArrayBufferWriter<byte> _pageValues = new();
    private readonly List<bool> _pageBooleans = [];
    private readonly List<int> _pageLevels = [];
    private int _pageValueCount;

    // Scratch buffers reused by every page: levels, the page body, its compressed form.
    private readonly ArrayBufferWriter<byte> _levels = new();
    private readonly ArrayBufferWriter<byte> _body = new();
    private readonly MemoryStream _compressed = new();

    // The sealed pages of the open chunk.
    private readonly ArrayBufferWriter<byte> _chunk = new();
    private long _chunkUncompressedBytes;
    private long _chunkValueCount;
    private long _chunkNullCount;
    private readonly ChunkStatistics _statistics;

    public ColumnWriter(ParquetColumn column, CompressionCodec codec, int pageTargetBytes)
    {
        Column = column;
        _codec = codec;
        _pageTargetBytes = pageTargetBytes;
        _statistics = new ChunkStatistics(column.Type);
    }

    public ParquetColumn Column { get; }

    /// <summary>An upper bound of the bytes this chunk will take in the file if written now:
    /// the sealed pages as they are, the open page as if sealed uncompressed with a full header,
    /// plus the worst-case growth of deflate (well under 1/1000 of the input and a gzip header
    /// and trailer) when compressed.</summary>
    public long BufferedBytes => _chunk.WrittenCount + SealedSizeBound(OpenPageBytes);

    /// <summary>An upper bound of how much <see cref="BufferedBytes"/> can grow by appending
    /// <paramref name="value"/>: its encoded size, levels of a page, a page header and the
    /// compression allowance (the worst case is the value opening a fresh page).</summary>
    public long AppendUpperBound(object? value)
    {
        long page = EncodedSize(value) + 1 + (Column.Optional ? 4 + 2 + 16 : 0);
        return SealedSizeBound(page) + 1;
    }

    private long SealedSizeBound(long openPageBytes) =>
        openPageBytes + PageHeaderAllowance + (_codec == CompressionCodec.Gzip ? openPageBytes / 1000 + 64 : 0);

    // Definition levels: the RLE/bit-packed hybrid needs at most 2 bytes per 8 levels (an RLE
    // run of 8 is a header and a value byte) plus a few run headers.
    private long OpenPageBytes => _pageValues.WrittenCount + (_pageBooleans.Count + 7) / 8 + (Column.Optional ? 4 + 2 * ((_pageLevels.Count + 7) / 8) + 16 : 0);

    /// <summary>Appends one value (already type-checked by the file writer); null only for optional columns.</summary>
    public void Append(object? value)
    {
        int size = EncodedSize(value);
        if (_pageValueCount > 0 && OpenPageBytes + size > _pageTargetBytes) SealPage();

        if (Column.Optional) _pageLevels.Add(value is null ? 0 : 1);
        if (value is null)
        {
            _chunkNullCount++;
        }
        else
        {
            switch (value)
            {
                case bool b: _pageBooleans.Add(b); break;
                case int i: PlainEncoder.WriteInt32(_pageValues, i); break;
                case long l: PlainEncoder.WriteInt64(_pageValues, l); break;
                case float f: PlainEncoder.WriteFloat(_pageValues, f); break;
                case double d: PlainEncoder.WriteDouble(_pageValues, d); break;
                case string s: PlainEncoder.WriteByteArray(_pageValues, Encoding.UTF8.GetBytes(s)); break;
                case byte[] bytes: PlainEncoder.WriteByteArray(_pageValues, bytes); break;
                default: throw new ArgumentException($"column '{Column.Name}' cannot hold a {value.GetType().Name}");
            }
            _statistics.Observe(value);
        }
        _pageValueCount++;
        _chunkValueCount++;

        if (OpenPageBytes >= _pageTargetBytes) SealPage();
    }

    /// <summary>Writes the chunk's pages to <paramref name="output"/> (positioned at
    /// <paramref name="offset"/>), returns its metadata and starts an empty chunk.</summary>
    public async ValueTask<ColumnChunk> WriteChunkAsync(Stream output, long offset, CancellationToken ct)
    {
        if (_pageValueCount > 0) SealPage();
        await output.WriteAsync(_chunk.WrittenMemory, ct).ConfigureAwait(false);
        var meta = new ColumnMetaData
        {
            Type = ParquetSchema.PhysicalTypeOf(Column.Type),
            Encodings = Column.Optional ? [ParquetEncoding.Plain, ParquetEncoding.Rle] : [ParquetEncoding.Plain],
            PathInSchema = [Column.Name],
            Codec = _codec,
            NumValues = _chunkValueCount,
            TotalUncompressedSize = _chunkUncompressedBytes,
            TotalCompressedSize = _chunk.WrittenCount,
            DataPageOffset = offset,
            Statistics = _statistics.ToStatistics(_chunkNullCount),
        };
        _chunk.ResetWrittenCount();
        _chunkUncompressedBytes = 0;
        _chunkValueCount = 0;
        _chunkNullCount = 0;
        _statistics.Reset();
        return new ColumnChunk { FileOffset = 0, MetaData = meta };
    }

    /// <summary>PLAIN-encoded size of one value (bool counted as a whole byte).</summary>
    internal static int EncodedSize(object? value) => value switch
    {
        null => 0,
        bool => 1,
        int or float => 4,
        long or double => 8,
        string s => 4 + Encoding.UTF8.GetByteCount(s),
        byte[] b => 4 + b.Length,
        _ => 0,
    };

    private void SealPage()
    {
        _body.ResetWrittenCount();
        if (Column.Optional)
        {
            _levels.ResetWrittenCount();
            RleBitPackedHybridEncoder.Encode(CollectionsMarshal.AsSpan(_pageLevels), bitWidth: 1, _levels);
            PlainEncoder.WriteInt32(_body, _levels.WrittenCount);
            _body.Write(_levels.WrittenSpan);
        }
        if (Column.Type == ParquetType.Boolean) PlainEncoder.WriteBooleans(_body, _pageBooleans);
        _body.Write(_pageValues.WrittenSpan);

        ReadOnlyMemory<byte> stored = PageCompression.Compress(_codec, _body.WrittenMemory, _compressed);
        var header = new PageHeader
        {
            Type = PageType.DataPage,
            UncompressedPageSize = _body.WrittenCount,
            CompressedPageSize = stored.Length,
            DataPage = new DataPageHeader(_pageValueCount, ParquetEncoding.Plain, ParquetEncoding.Rle, ParquetEncoding.Rle),
        };
        byte[] headerBytes = header.Serialize();
        _chunk.Write(headerBytes);
        _chunk.Write(stored.Span);
        _chunkUncompressedBytes += headerBytes.Length + _body.WrittenCount;

        _pageValues.ResetWrittenCount();
        _pageBooleans.Clear();
        _pageLevels.Clear();
        _pageValueCount = 0;
    }
}
