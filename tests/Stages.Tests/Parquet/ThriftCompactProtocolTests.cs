using CrossVideoMAE.Stages.Parquet.Thrift;
using Xunit;

namespace CrossVideoMAE.Stages.Tests.Parquet;

/// <summary>Byte-level checks of the compact protocol against encodings worked out by hand from
/// the Thrift compact protocol specification.</summary>
public class ThriftCompactProtocolTests
{
    [Fact]
    public void Writer_produces_the_hand_computed_bytes()
    {
        var w = new ThriftCompactWriter();
        w.BeginStruct();
        w.I32Field(1, 3);            // delta 1, type i32 (5): 0x15; zigzag(3)=6
        w.I64Field(2, -1);           // delta 1, type i64 (6): 0x16; zigzag(-1)=1
        w.StringField(4, "ab");      // delta 2, binary (8): 0x28; length 2, 'a' 'b'
        w.BoolField(5, true);        // delta 1, bool true (1): 0x11
        w.I32Field(20, 300);         // delta 15: 0xF5; zigzag(300)=600 = 0xD8 0x04
        w.I32Field(40, 0);           // delta 20 > 15: long form 0x05, zigzag(40)=80=0x50, value 0x00
        w.StructField(41);           // delta 1, struct (12): 0x1C
        w.BoolField(1, false);       // nested numbering restarts: 0x12
        w.EndStruct();               // 0x00
        w.ListField(42, CompactType.I32, 2); // delta 1 after the nested struct: 0x19; list header 0x25
        w.I32(-2);                   // zigzag(-2)=3
        w.I32(64);                   // zigzag(64)=128 = 0x80 0x01
        w.EndStruct();               // 0x00

        byte[] expected =
        [
            0x15, 0x06,
            0x16, 0x01,
            0x28, 0x02, (byte)'a', (byte)'b',
            0x11,
            0xF5, 0xD8, 0x04,
            0x05, 0x50, 0x00,
            0x1C, 0x12, 0x00,
            0x19, 0x25, 0x03, 0x80, 0x01,
            0x00,
        ];
        Assert.Equal(expected, w.ToArray());
    }

    [Fact]
    public void Long_list_header_carries_its_size_in_a_varint()
    {
        var w = new ThriftCompactWriter();
        w.ListHeader(CompactType.Binary, 20);
        Assert.Equal(new byte[] { 0xF8, 20 }, w.ToArray());
    }

    [Fact]
    public void Reader_decodes_hand_written_bytes_and_skips_unknown_fields()
    {
        byte[] bytes =
        [
            0x15, 0x06,                         // 1: i32 3
            0x18, 0x03, 0x78, 0x79, 0x7A,       // 2: binary "xyz" (skipped)
            0x27, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, // 4: double 1.5 (skipped)
            0x1B, 0x01, 0x55, 0x02, 0x04,       // 5: map<i32,i32> {1: 2} (skipped)
            0x1C, 0x19, 0x1C, 0x15, 0x02, 0x00, 0x00, // 6: struct { 1: list<struct>[ {1: i32 1} ] } (skipped)
            0x06, 0x50, 0x80, 0x80, 0x04,       // 40: i64 zigzag 65536 -> 32768
            0x00,
        ];
        var r = new ThriftCompactReader(bytes);
        int? a = null;
        long? b = null;
        r.BeginStruct();
        while (r.NextField("Test", out ThriftField f))
        {
            switch (f.Id)
            {
                case 1: a = r.ReadI32(f); break;
                case 40: b = r.ReadI64(f); break;
                default: r.Skip(f.Type); break;
            }
        }
        Assert.Equal(3, a);
        Assert.Equal(32768, b);
        Assert.Equal(bytes.Length, r.Position);
    }

    [Theory]
    [InlineData(new byte[] { 0x15 }, "needs 1 more bytes")]                      // value missing
    [InlineData(new byte[] { 0x15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, "varint longer")]
    [InlineData(new byte[] { 0x18, 0x10, 0x61 }, "length 16 exceeds")]           // binary past the end
    [InlineData(new byte[] { 0x19, 0xF5, 0xFF, 0x01 }, "list of 255 elements")] // list count past the end
    [InlineData(new byte[] { 0x1D, 0x00 }, "unknown Thrift wire type 13")]
    [InlineData(new byte[] { 0x15, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00 }, "out of range")] // i32 overflow
    public void Reader_refuses_corrupt_bytes_with_a_reason(byte[] bytes, string reason)
    {
        var r = new ThriftCompactReader(bytes);
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            r.BeginStruct();
            while (r.NextField("Test", out ThriftField f))
            {
                if (f.Id == 1 && f.Type == CompactType.I32) r.ReadI32(f);
                else if (f.Id == 1 && f.Type == CompactType.Binary) r.ReadBinary(f);
                else r.Skip(f.Type);
            }
        });
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Reader_limits_nesting_depth()
    {
        // 100 nested structs, each opened by field 1 of type struct.
        byte[] bytes = Enumerable.Repeat((byte)0x1C, 100).Concat(Enumerable.Repeat((byte)0x00, 101)).ToArray();
        var r = new ThriftCompactReader(bytes);
        r.BeginStruct();
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            while (r.NextField("Test", out ThriftField f)) r.Skip(f.Type);
        });
        Assert.Contains("nested deeper", e.Message);
    }

    [Fact]
    public void Reader_refuses_a_known_field_with_the_wrong_wire_type()
    {
        var r = new ThriftCompactReader(new byte[] { 0x18, 0x00, 0x00 });
        r.BeginStruct();
        Assert.True(r.NextField("PageHeader", out ThriftField f));
        var e = Assert.Throws<InvalidDataException>(() => r.ReadI32(f));
        Assert.Contains("PageHeader field 1 has wire type Binary, expected i32", e.Message);
    }
}
