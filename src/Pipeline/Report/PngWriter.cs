using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>
/// A minimal PNG encoder: 8-bit RGB (colour type 2), no interlace, every scanline with filter 0
/// (None), the image data in one zlib-compressed IDAT chunk, chunk CRC-32 from its own table.
/// </summary>
public static class PngWriter
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Encodes <paramref name="rgb"/> (height rows of width x 3 bytes, top row first).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        if (rgb.Length != checked(width * height * 3)) throw new ArgumentException($"{rgb.Length} bytes for a {width}x{height} RGB image (expected {width * height * 3})");
        using var png = new MemoryStream();
        png.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)height);
        header[8] = 8;   // bit depth
        header[9] = 2;   // colour type: RGB
        header[10] = 0;  // compression: deflate
        header[11] = 0;  // filter method 0
        header[12] = 0;  // no interlace
        WriteChunk(png, "IHDR", header);

        using (var data = new MemoryStream())
        {
            using (var z = new ZLibStream(data, CompressionLevel.Optimal, leaveOpen: true))
            {
                int stride = width * 3;
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0); // filter type None
                    z.Write(rgb.Slice(y * stride, stride));
                }
            }
            WriteChunk(png, "IDAT", data.ToArray());
        }
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    public static void Write(string path, ReadOnlySpan<byte> rgb, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, Encode(rgb, width, height));
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> payload)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)payload.Length);
        s.Write(word);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(payload);
        uint crc = Crc32(Crc32(0xFFFFFFFFu, typeBytes), payload) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        s.Write(word);
    }

    /// <summary>CRC-32 (ISO 3309, polynomial 0xEDB88320 reflected) as the PNG specification defines it; the
    /// caller starts with 0xFFFFFFFF and inverts the result.</summary>
    internal static uint Crc32(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
