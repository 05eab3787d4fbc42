using System.Buffers;

namespace CrossVideoMAE.Stages.Parquet.Encodings;

/// <summary>
/// Writes the RLE / bit-packing hybrid of the Parquet spec: a sequence of runs, each led by a
/// varint header. Header bit 0 = 0: an RLE run of (header >> 1) copies of one value stored in
/// ceil(bitWidth/8) little-endian bytes. Header bit 0 = 1: (header >> 1) groups of 8 values
/// bit-packed LSB first, bitWidth bytes per group. Runs of 8 or more equal values become RLE
/// runs; everything else is bit-packed, padded with zeros only in the last group.
/// </summary>
public static class RleBitPackedHybridEncoder
{
    private const int MinRleRun = 8;

    public static void Encode(ReadOnlySpan<int> values, int bitWidth, IBufferWriter<byte> output)
    {
        if (bitWidth is < 0 or > 32) throw new ArgumentOutOfRangeException(nameof(bitWidth), bitWidth, "bit width must be 0..32");
        long limit = bitWidth == 32 ? uint.MaxValue : (1L << bitWidth) - 1;
        foreach (int v in values)
        {
            if ((uint)v > limit) throw new ArgumentOutOfRangeException(nameof(values), v, $"value does not fit in {bitWidth} bits");
        }

        int i = 0;
        while (i < values.Length)
        {
            int run = RunLength(values, i);
            if (run >= MinRleRun)
            {
                WriteRleRun(values[i], run, bitWidth, output);
                i += run;
                continue;
            }
            // Bit-pack whole groups of 8 until a long run starts at a group boundary.
            int start = i;
            do i += 8; while (i < values.Length && RunLength(values, i) < MinRleRun);
            int count = Math.Min(i, values.Length) - start;
            WriteBitPackedRun(values.Slice(start, count), bitWidth, output);
            i = start + count;
        }
    }

    private static int RunLength(ReadOnlySpan<int> values, int start)
    {
        int end = start + 1;
        while (end < values.Length && values[end] == values[start]) end++;
        return end - start;
    }

    private static void WriteRleRun(int value, int count, int bitWidth, IBufferWriter<byte> output)
    {
        WriteVarint((uint)count << 1, output);
        int valueBytes = (bitWidth + 7) / 8;
        Span<byte> span = output.GetSpan(valueBytes);
        for (int b = 0; b < valueBytes; b++) span[b] = (byte)((uint)value >> (8 * b));
        output.Advance(valueBytes);
    }

    private static void WriteBitPackedRun(ReadOnlySpan<int> values, int bitWidth, IBufferWriter<byte> output)
    {
        int groups = (values.Length + 7) / 8;
        WriteVarint(((uint)groups << 1) | 1, output);
        int byteCount = groups * bitWidth;
        Span<byte> span = output.GetSpan(byteCount)[..byteCount];
        span.Clear();
        long bit = 0;
        foreach (int v in values)
        {
            for (int b = 0; b < bitWidth; b++, bit++)
            {
                if (((uint)v >> b & 1) != 0) span[(int)(bit >> 3)] |= (byte)(1 << (int)(bit & 7));
            }
        }
        output.Advance(byteCount);
    }

    private static void WriteVarint(uint value, IBufferWriter<byte> output)
    {
        Span<byte> span = output.GetSpan(5);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        output.Advance(n);
    }
}
