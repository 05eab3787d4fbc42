using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace CrossVideoMAE.Stages.Parquet.Thrift;

/// <summary>
/// Encodes Thrift structs with the compact protocol into a growing buffer.
/// Integers are zigzag varints, field ids are sent as a delta from the previous field of the
/// same struct when that delta is 1..15, binaries and strings are a varint length and bytes,
/// doubles are 8 little-endian bytes, lists carry their size and element type in one byte when
/// the size is below 15.
/// </summary>
public sealed class ThriftCompactWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly Stack<short> _outerFieldIds = new();
    private short _lastFieldId;

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Starts a struct: field ids inside it count from zero again.</summary>
    public void BeginStruct()
    {
        _outerFieldIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    /// <summary>Writes the stop byte and returns to the enclosing struct's field numbering.</summary>
    public void EndStruct()
    {
        if (_outerFieldIds.Count == 0) throw new InvalidOperationException("EndStruct without BeginStruct");
        WriteByte((byte)CompactType.Stop);
        _lastFieldId = _outerFieldIds.Pop();
    }

    public void FieldHeader(short id, CompactType type)
    {
        if (id <= 0) throw new ArgumentOutOfRangeException(nameof(id), id, "Thrift field ids written here are positive");
        int delta = id - _lastFieldId;
        if (delta is > 0 and <= 15)
        {
            WriteByte((byte)((delta << 4) | (byte)type));
        }
        else
        {
            WriteByte((byte)type);
            WriteVarint(ZigZag(id));
        }
        _lastFieldId = id;
    }

    public void BoolField(short id, bool value) => FieldHeader(id, value ? CompactType.BooleanTrue : CompactType.BooleanFalse);

    public void I32Field(short id, int value)
    {
        FieldHeader(id, CompactType.I32);
        I32(value);
    }

    public void I64Field(short id, long value)
    {
        FieldHeader(id, CompactType.I64);
        I64(value);
    }

    public void BinaryField(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, CompactType.Binary);
        Binary(value);
    }

    public void StringField(short id, string value)
    {
        FieldHeader(id, CompactType.Binary);
        String(value);
    }

    /// <summary>Field header of a nested struct followed by <see cref="BeginStruct"/>; close it with <see cref="EndStruct"/>.</summary>
    public void StructField(short id)
    {
        FieldHeader(id, CompactType.Struct);
        BeginStruct();
    }

    /// <summary>Field header of a list followed by the list header; then write <paramref name="count"/> elements.</summary>
    public void ListField(short id, CompactType elementType, int count)
    {
        FieldHeader(id, CompactType.List);
        ListHeader(elementType, count);
    }

    public void ListHeader(CompactType elementType, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count < 15)
        {
            WriteByte((byte)((count << 4) | (byte)elementType));
        }
        else
        {
            WriteByte((byte)(0xF0 | (byte)elementType));
            WriteVarint((ulong)count);
        }
    }

    public void I32(int value) => WriteVarint(ZigZag(value));

    public void I64(long value) => WriteVarint(ZigZag(value));

    public void Double(double value)
    {
        Span<byte> bytes = _buffer.GetSpan(8);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
        _buffer.Advance(8);
    }

    public void Binary(ReadOnlySpan<byte> value)
    {
        WriteVarint((ulong)value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    public void String(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private void WriteVarint(ulong value)
    {
        Span<byte> bytes = _buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            bytes[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        bytes[n++] = (byte)value;
        _buffer.Advance(n);
    }

    private void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }
}
