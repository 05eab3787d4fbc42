using System.Buffers.Binary;
using System.Text;
using CrossVideoMAE.Stages.Parquet.Schema;

namespace CrossVideoMAE.Stages.Parquet.Encodings;

/// <summary>Decodes PLAIN values from untrusted bytes into a typed array (bool[], int[],
/// long[], float[], double[], string[] or byte[][]), checking every length against the
/// bytes that remain. Strings must be valid UTF-8.</summary>
public static class PlainDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Array Decode(ParquetType type, ReadOnlySpan<byte> data, int count)
    {
        if (count < 0) throw new InvalidDataException($"negative value count {count}");
        return type switch
        {
            ParquetType.Boolean => DecodeBooleans(data, count),
            ParquetType.Int32 => DecodeFixed(data, count, 4, static s => BinaryPrimitives.ReadInt32LittleEndian(s)),
            ParquetType.Int64 => DecodeFixed(data, count, 8, static s => BinaryPrimitives.ReadInt64LittleEndian(s)),
            ParquetType.Float => DecodeFixed(data, count, 4, static s => BinaryPrimitives.ReadSingleLittleEndian(s)),
            ParquetType.Double => DecodeFixed(data, count, 8, static s => BinaryPrimitives.ReadDoubleLittleEndian(s)),
            ParquetType.String => DecodeStrings(data, count),
            ParquetType.Binary => DecodeByteArrays(data, count),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
    }

    private delegate T ReadFixed<T>(ReadOnlySpan<byte> bytes);

    private static T[] DecodeFixed<T>(ReadOnlySpan<byte> data, int count, int width, ReadFixed<T> read)
    {
        long needed = (long)count * width;
        if (needed > data.Length) throw new InvalidDataException($"PLAIN data holds {data.Length} bytes but {count} values of {width} bytes need {needed}");
        var values = new T[count];
        for (int i = 0; i < count; i++) values[i] = read(data.Slice(i * width, width));
        return values;
    }

    private static bool[] DecodeBooleans(ReadOnlySpan<byte> data, int count)
    {
        long needed = ((long)count + 7) / 8;
        if (needed > data.Length) throw new InvalidDataException($"PLAIN data holds {data.Length} bytes but {count} booleans need {needed}");
        var values = new bool[count];
        for (int i = 0; i < count; i++) values[i] = (data[i >> 3] >> (i & 7) & 1) != 0;
        return values;
    }

    private static byte[][] DecodeByteArrays(ReadOnlySpan<byte> data, int count)
    {
        var values = new byte[count][];
        int pos = 0;
        for (int i = 0; i < count; i++) values[i] = NextByteArray(data, ref pos, i).ToArray();
        return values;
    }

    private static string[] DecodeStrings(ReadOnlySpan<byte> data, int count)
    {
        var values = new string[count];
        int pos = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> bytes = NextByteArray(data, ref pos, i);
            try
            {
                values[i] = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidDataException($"string value {i} is not valid UTF-8");
            }
        }
        return values;
    }

    private static ReadOnlySpan<byte> NextByteArray(ReadOnlySpan<byte> data, ref int pos, int index)
    {
        if (data.Length - pos < 4) throw new InvalidDataException($"PLAIN byte array {index} starts at {pos} but its length prefix runs past the {data.Length}-byte page");
        int length = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(pos, 4));
        pos += 4;
        if (length < 0 || length > data.Length - pos)
            throw new InvalidDataException($"PLAIN byte array {index} claims {length} bytes but only {data.Length - pos} remain in the page");
        ReadOnlySpan<byte> value = data.Slice(pos, length);
        pos += length;
        return value;
    }
}
