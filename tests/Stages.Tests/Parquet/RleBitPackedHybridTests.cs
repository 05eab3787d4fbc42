using System.Buffers;
using CrossVideoMAE.Stages.Parquet.Encodings;
using Xunit;

namespace CrossVideoMAE.Stages.Tests.Parquet;

public class RleBitPackedHybridTests
{
    private static byte[] Encode(int[] values, int bitWidth)
    {
        var output = new ArrayBufferWriter<byte>();
        RleBitPackedHybridEncoder.Encode(values, bitWidth, output);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Bit_packed_run_matches_the_example_of_the_parquet_spec()
    {
        // Encodings.md: the values 0..7 with bit width 3 pack to 10001000 11000110 11111010.
        byte[] bytes = Encode([0, 1, 2, 3, 4, 5, 6, 7], 3);
        Assert.Equal(new byte[] { 0x03, 0x88, 0xC6, 0xFA }, bytes); // header: 1 group, bit-packed flag
    }

    [Fact]
    public void Long_run_becomes_an_rle_run()
    {
        // 10 ones, width 1: header 10 << 1 = 0x14, value in one byte.
        Assert.Equal(new byte[] { 0x14, 0x01 }, Encode(Enumerable.Repeat(1, 10).ToArray(), 1));
        // 300 zeros, width 1: header 600 = varint 0xD8 0x04.
        Assert.Equal(new byte[] { 0xD8, 0x04, 0x00 }, Encode(new int[300], 1));
    }

    [Fact]
    public void Short_tail_is_padded_inside_one_bit_packed_group()
    {
        // 1,0,1 -> one group of 8 (padded with zeros): bits 101 -> 0b00000101.
        Assert.Equal(new byte[] { 0x03, 0x05 }, Encode([1, 0, 1], 1));
    }

    [Fact]
    public void Mixed_runs_round_trip()
    {
        var rng = new Random(7);
        foreach (int bitWidth in new[] { 1, 2, 5, 8, 13, 32 })
        {
            long max = bitWidth == 32 ? int.MaxValue : (1L << bitWidth) - 1;
            var values = new List<int>();
            while (values.Count < 2000)
            {
                int v = (int)(rng.NextInt64(max + 1));
                int repeat = rng.Next(4) == 0 ? rng.Next(1, 40) : 1;
                values.AddRange(Enumerable.Repeat(v, repeat));
            }
            byte[] bytes = Encode(values.ToArray(), bitWidth);
            var decoded = new int[values.Count];
            int consumed = RleBitPackedHybridDecoder.Decode(bytes, bitWidth, decoded);
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(values, decoded);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0x01 }, 1, 16, "needs 2 bytes")]       // 2 groups of width 1 but 1 byte
    [InlineData(new byte[] { 0x14, 0x02 }, 1, 10, "does not fit in 1 bits")] // RLE value 2 with width 1
    [InlineData(new byte[] { 0x14 }, 8, 10, "needs 1 bytes")]             // RLE value missing
    [InlineData(new byte[] { 0x04, 0x01 }, 1, 10, "ends inside a run header")] // 2 values given, 10 wanted
    public void Decoder_refuses_truncated_or_out_of_range_runs(byte[] bytes, int bitWidth, int count, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => RleBitPackedHybridDecoder.Decode(bytes, bitWidth, new int[count]));
        Assert.Contains(reason, e.Message);
    }
}
