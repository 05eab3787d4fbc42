using System.Buffers.Binary;
using System.Text;
using CrossVideoMAE.Stages.Parquet.Format;
using CrossVideoMAE.Stages.Parquet.Schema;

namespace CrossVideoMAE.Stages.Parquet.Writing;

/// <summary>
/// Column chunk statistics: the null count always; exact min/max (signed for integers,
/// unsigned byte-wise for UTF-8 strings, as TYPE_ORDER defines them) for INT32, INT64 and
/// strings no longer than <see cref="ColumnWriter.MaxStatisticsBytes"/>. Floating point,
/// boolean and binary columns carry no min/max (NaN rules, and blobs are not worth indexing).
/// </summary>
internal sealed class ChunkStatistics(ParquetType type)
{
    private long? _minInteger, _maxInteger;
    private byte[]? _minBytes, _maxBytes;
    private bool _stringsTooLong;

    public void Observe(object value)
    {
        switch (value)
        {
            case int i: ObserveInteger(i); break;
            case long l: ObserveInteger(l); break;
            case string s when !_stringsTooLong:
            {
                byte[] bytes = Encoding.UTF8.GetBytes(s);
                if (bytes.Length > ColumnWriter.MaxStatisticsBytes)
                {
                    _stringsTooLong = true;
                    _minBytes = _maxBytes = null;
                    break;
                }
                if (_minBytes is null || bytes.AsSpan().SequenceCompareTo(_minBytes) < 0) _minBytes = bytes;
                if (_maxBytes is null || bytes.AsSpan().SequenceCompareTo(_maxBytes) > 0) _maxBytes = bytes;
                break;
            }
        }
    }

    public Statistics ToStatistics(long nullCount) => type switch
    {
        ParquetType.Int32 when _minInteger is long min && _maxInteger is long max =>
            new Statistics(nullCount, Int32Bytes((int)min), Int32Bytes((int)max)),
        ParquetType.Int64 when _minInteger is long min && _maxInteger is long max =>
            new Statistics(nullCount, Int64Bytes(min), Int64Bytes(max)),
        ParquetType.String when !_stringsTooLong && _minBytes is not null && _maxBytes is not null =>
            new Statistics(nullCount, _minBytes, _maxBytes),
        _ => new Statistics(nullCount, null, null),
    };

    public void Reset()
    {
        _minInteger = _maxInteger = null;
        _minBytes = _maxBytes = null;
        _stringsTooLong = false;
    }

    private void ObserveInteger(long v)
    {
        if (_minInteger is null || v < _minInteger) _minInteger = v;
        if (_maxInteger is null || v > _maxInteger) _maxInteger = v;
    }

    private static byte[] Int32Bytes(int v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, v);
        return b;
    }

    private static byte[] Int64Bytes(long v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        return b;
    }
}
