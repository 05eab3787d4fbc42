using System.Buffers;
using System.Buffers.Binary;

namespace CrossVideoMAE.Stages.Parquet.Encodings;

/// <summary>PLAIN encoding: fixed-width numbers little-endian, booleans one bit each (LSB
/// first), byte arrays as a 4-byte little-endian length followed by the bytes.</summary>
public static class PlainEncoder
{
    public static void WriteInt32(IBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public static void WriteInt64(IBufferWriter<byte> output, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public static void WriteFloat(IBufferWriter<byte> output, float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public static void WriteDouble(IBufferWriter<byte> output, double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public static void WriteByteArray(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        Span<byte> span = output.GetSpan(4 + value.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, value.Length);
        value.CopyTo(span[4..]);
        output.Advance(4 + value.Length);
    }

    public static void WriteBooleans(IBufferWriter<byte> output, IReadOnlyList<bool> values)
    {
        int byteCount = (values.Count + 7) / 8;
        Span<byte> span = output.GetSpan(byteCount)[..byteCount];
        span.Clear();
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i]) span[i >> 3] |= (byte)(1 << (i & 7));
        }
        output.Advance(byteCount);
    }
}
