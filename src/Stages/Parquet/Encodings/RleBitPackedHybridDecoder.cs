namespace CrossVideoMAE.Stages.Parquet.Encodings;

/// <summary>Reads the RLE / bit-packing hybrid (see <see cref="RleBitPackedHybridEncoder"/>)
/// from untrusted bytes: every run is checked against the bytes that remain, RLE values must
/// fit the bit width, and the output count is fixed by the caller.</summary>
public static class RleBitPackedHybridDecoder
{
    /// <summary>Decodes exactly <c>output.Length</c> values; returns the bytes consumed.</summary>
    public static int Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth is < 0 or > 32) throw new InvalidDataException($"RLE/bit-packed bit width {bitWidth} is outside 0..32");
        int pos = 0, produced = 0;
        int valueBytes = (bitWidth + 7) / 8;
        ulong limit = bitWidth == 32 ? uint.MaxValue : (1UL << bitWidth) - 1;
        while (produced < output.Length)
        {
            uint header = ReadVarint(data, ref pos);
            int remaining = output.Length - produced;
            if ((header & 1) == 0)
            {
                uint count = header >> 1;
                if (valueBytes > data.Length - pos) throw Truncated(data.Length, pos, valueBytes);
                ulong value = 0;
                for (int b = 0; b < valueBytes; b++) value |= (ulong)data[pos + b] << (8 * b);
                pos += valueBytes;
                if (value > limit) throw new InvalidDataException($"RLE run value {value} does not fit in {bitWidth} bits");
                int take = (int)Math.Min(count, (uint)remaining);
                output.Slice(produced, take).Fill((int)(uint)value);
                produced += take;
            }
            else
            {
                long groups = header >> 1;
                long byteCount = groups * bitWidth;
                if (byteCount > data.Length - pos) throw Truncated(data.Length, pos, byteCount);
                int take = (int)Math.Min(groups * 8, remaining);
                Unpack(data.Slice(pos, (int)byteCount), bitWidth, output.Slice(produced, take));
                pos += (int)byteCount;
                produced += take;
            }
        }
        return pos;
    }

    private static void Unpack(ReadOnlySpan<byte> packed, int bitWidth, Span<int> output)
    {
        if (bitWidth == 0)
        {
            output.Clear();
            return;
        }
        ulong buffer = 0;
        int bits = 0, pos = 0;
        ulong mask = bitWidth == 32 ? uint.MaxValue : (1UL << bitWidth) - 1;
        for (int i = 0; i < output.Length; i++)
        {
            while (bits < bitWidth)
            {
                buffer |= (ulong)packed[pos++] << bits;
                bits += 8;
            }
            output[i] = (int)(uint)(buffer & mask);
            buffer >>= bitWidth;
            bits -= bitWidth;
        }
    }

    private static uint ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        uint result = 0;
        for (int i = 0; i < 5; i++)
        {
            if (pos >= data.Length) throw new InvalidDataException("RLE/bit-packed data ends inside a run header");
            byte b = data[pos++];
            result |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException("RLE/bit-packed run header is longer than 5 bytes");
    }

    private static InvalidDataException Truncated(int length, int pos, long needed) =>
        new($"RLE/bit-packed run needs {needed} bytes at offset {pos} but only {length - pos} remain");
}
