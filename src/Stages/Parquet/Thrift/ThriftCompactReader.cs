using System.Buffers.Binary;
using System.Text;

namespace CrossVideoMAE.Stages.Parquet.Thrift;

/// <summary>
/// Decodes the Thrift compact protocol from a byte buffer that is not trusted: every length,
/// count and varint is checked against the bytes that remain, nesting is limited, and wire
/// types are checked against what the caller expects. Failures throw
/// <see cref="InvalidDataException"/> with the offset and the reason.
/// </summary>
public sealed class ThriftCompactReader
{
    /// <summary>Deepest struct/list nesting accepted (Parquet metadata needs about 6).</summary>
    public const int MaxDepth = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlyMemory<byte> _data;
    private readonly Stack<short> _outerFieldIds = new();
    private short _lastFieldId;

    public ThriftCompactReader(ReadOnlyMemory<byte> data)
    {
        _data = data;
    }

    /// <summary>Bytes consumed so far.</summary>
    public int Position { get; private set; }

    public int Remaining => _data.Length - Position;

    public void BeginStruct()
    {
        if (_outerFieldIds.Count >= MaxDepth) throw Fail($"structs nested deeper than {MaxDepth}");
        _outerFieldIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    /// <summary>Reads the next field header of the current struct; returns false at the stop
    /// byte, which also closes the struct.</summary>
    public bool NextField(string structName, out ThriftField field)
    {
        if (_outerFieldIds.Count == 0) throw new InvalidOperationException("NextField outside a struct");
        int start = Position;
        byte header = ReadByte();
        var type = (CompactType)(header & 0x0F);
        if (type == CompactType.Stop)
        {
            if (header != 0) throw Fail($"{structName}: malformed stop byte 0x{header:X2}", start);
            _lastFieldId = _outerFieldIds.Pop();
            field = default;
            return false;
        }
        if (type > CompactType.Struct) throw Fail($"{structName}: unknown Thrift wire type {(int)type}", start);
        int delta = header >> 4;
        short id;
        if (delta != 0)
        {
            int next = _lastFieldId + delta;
            if (next > short.MaxValue) throw Fail($"{structName}: field id overflows", start);
            id = (short)next;
        }
        else
        {
            long raw = ReadZigZag(5);
            if (raw is < short.MinValue or > short.MaxValue) throw Fail($"{structName}: field id {raw} out of range", start);
            id = (short)raw;
        }
        _lastFieldId = id;
        field = new ThriftField(structName, id, type);
        return true;
    }

    public bool ReadBool(ThriftField field)
    {
        return field.Type switch
        {
            CompactType.BooleanTrue => true,
            CompactType.BooleanFalse => false,
            _ => throw WrongType(field, "bool"),
        };
    }

    public int ReadI32(ThriftField field)
    {
        if (field.Type != CompactType.I32) throw WrongType(field, "i32");
        return ReadI32();
    }

    public long ReadI64(ThriftField field)
    {
        if (field.Type != CompactType.I64) throw WrongType(field, "i64");
        return ReadI64();
    }

    public short ReadI16(ThriftField field)
    {
        if (field.Type != CompactType.I16) throw WrongType(field, "i16");
        long v = ReadZigZag(3);
        if (v is < short.MinValue or > short.MaxValue) throw Fail($"{field}: i16 value {v} out of range");
        return (short)v;
    }

    public byte[] ReadBinary(ThriftField field)
    {
        if (field.Type != CompactType.Binary) throw WrongType(field, "binary");
        return ReadBinary();
    }

    public string ReadString(ThriftField field)
    {
        if (field.Type != CompactType.Binary) throw WrongType(field, "string");
        return ReadString();
    }

    /// <summary>Checks that the field holds a struct (which the caller then reads).</summary>
    public void ExpectStruct(ThriftField field)
    {
        if (field.Type != CompactType.Struct) throw WrongType(field, "struct");
    }

    /// <summary>Checks that the field holds a list of <paramref name="elementType"/> and returns
    /// its element count, which is bounded by the bytes that remain.</summary>
    public int ReadListHeader(ThriftField field, CompactType elementType)
    {
        if (field.Type != CompactType.List) throw WrongType(field, "list");
        int start = Position;
        (CompactType actual, int count) = ReadListHeader();
        bool compatible = actual == elementType
            || (elementType == CompactType.BooleanTrue && actual == CompactType.BooleanFalse);
        if (!compatible) throw Fail($"{field}: list of wire type {(int)actual}, expected {elementType}", start);
        return count;
    }

    public int ReadI32()
    {
        long v = ReadZigZag(5);
        if (v is < int.MinValue or > int.MaxValue) throw Fail($"i32 value {v} out of range");
        return (int)v;
    }

    public long ReadI64() => ReadZigZag(10);

    public double ReadDouble()
    {
        Need(8);
        double v = BinaryPrimitives.ReadDoubleLittleEndian(_data.Span.Slice(Position, 8));
        Position += 8;
        return v;
    }

    public byte[] ReadBinary()
    {
        int length = ReadLength();
        byte[] bytes = _data.Span.Slice(Position, length).ToArray();
        Position += length;
        return bytes;
    }

    public string ReadString()
    {
        int start = Position;
        int length = ReadLength();
        try
        {
            string s = StrictUtf8.GetString(_data.Span.Slice(Position, length));
            Position += length;
            return s;
        }
        catch (DecoderFallbackException)
        {
            throw Fail("string is not valid UTF-8", start);
        }
    }

    /// <summary>Skips one value of any type, with nested containers bounded by <see cref="MaxDepth"/>.</summary>
    public void Skip(CompactType type) => Skip(type, 0);

    private void Skip(CompactType type, int depth)
    {
        if (depth > MaxDepth) throw Fail($"values nested deeper than {MaxDepth}");
        switch (type)
        {
            case CompactType.BooleanTrue:
            case CompactType.BooleanFalse:
                return; // a struct field's boolean lives in its header
            case CompactType.Byte:
                ReadByte();
                return;
            case CompactType.I16:
            case CompactType.I32:
            case CompactType.I64:
                ReadZigZag(10);
                return;
            case CompactType.Double:
                Need(8);
                Position += 8;
                return;
            case CompactType.Binary:
            {
                int length = ReadLength(); // read before Position, which ReadLength advances
                Position += length;
                return;
            }
            case CompactType.List:
            case CompactType.Set:
            {
                (CompactType element, int count) = ReadListHeader();
                for (int i = 0; i < count; i++) SkipElement(element, depth + 1);
                return;
            }
            case CompactType.Map:
            {
                int start = Position;
                ulong count = ReadVarint(5);
                if (count == 0) return;
                if (count > (ulong)Remaining) throw Fail($"map of {count} entries exceeds the {Remaining} bytes left", start);
                byte kinds = ReadByte();
                var keyType = (CompactType)(kinds >> 4);
                var valueType = (CompactType)(kinds & 0x0F);
                for (ulong i = 0; i < count; i++)
                {
                    SkipElement(keyType, depth + 1);
                    SkipElement(valueType, depth + 1);
                }
                return;
            }
            case CompactType.Struct:
            {
                BeginStruct();
                while (NextField("skipped struct", out ThriftField f)) Skip(f.Type, depth + 1);
                return;
            }
            default:
                throw Fail($"cannot skip unknown wire type {(int)type}");
        }
    }

    private void SkipElement(CompactType type, int depth)
    {
        if (type is CompactType.BooleanTrue or CompactType.BooleanFalse) ReadByte();
        else Skip(type, depth);
    }

    private (CompactType Element, int Count) ReadListHeader()
    {
        int start = Position;
        byte header = ReadByte();
        var element = (CompactType)(header & 0x0F);
        if (element is CompactType.Stop or > CompactType.Struct) throw Fail($"list of unknown wire type {(int)element}", start);
        long count = header >> 4;
        if (count == 15)
        {
            ulong big = ReadVarint(5);
            if (big > int.MaxValue) throw Fail($"list of {big} elements", start);
            count = (long)big;
        }
        // Every element takes at least one byte, so a count beyond the bytes left is corrupt.
        if (count > Remaining) throw Fail($"list of {count} elements exceeds the {Remaining} bytes left", start);
        return (element, (int)count);
    }

    private int ReadLength()
    {
        int start = Position;
        ulong length = ReadVarint(5);
        if (length > (ulong)Remaining) throw Fail($"length {length} exceeds the {Remaining} bytes left", start);
        return (int)length;
    }

    private long ReadZigZag(int maxBytes)
    {
        ulong raw = ReadVarint(maxBytes);
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    private ulong ReadVarint(int maxBytes)
    {
        int start = Position;
        ulong result = 0;
        for (int i = 0; i < maxBytes; i++)
        {
            byte b = ReadByte();
            result |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return result;
        }
        throw Fail($"varint longer than {maxBytes} bytes", start);
    }

    private byte ReadByte()
    {
        Need(1);
        return _data.Span[Position++];
    }

    private void Need(int count)
    {
        if (count > Remaining) throw Fail($"needs {count} more bytes but only {Remaining} remain");
    }

    private InvalidDataException WrongType(ThriftField field, string expected) =>
        Fail($"{field} has wire type {field.Type}, expected {expected}");

    private InvalidDataException Fail(string reason, int? offset = null) =>
        new($"Thrift metadata corrupt at byte {offset ?? Position}: {reason}");
}
