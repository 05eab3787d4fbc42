using System.Buffers.Binary;

namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Counts the video frame chunks an AVI's legacy index (<c>idx1</c>) lists: entries whose chunk id is a stream
/// number and <c>dc</c> (compressed) or <c>db</c> (uncompressed), the chunks ffmpeg's AVI demuxer reads as
/// video packets. A header (<c>strh</c> dwLength) that disagrees with this count lies about the frames; an AVI
/// without <c>idx1</c>, or one whose <c>idx1</c> is cut, gives null. Reads the top-level chunk headers and the
/// index only; never throws for a bad file.
/// </summary>
public static class AviFrameChunks
{
    private const int MaxIndexBytes = 64 << 20;   // 4 million entries

    public static long? CountInIndex(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096);
            Span<byte> header = stackalloc byte[12];
            if (file.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12
                || !header[..4].SequenceEqual("RIFF"u8) || !header.Slice(8, 4).SequenceEqual("AVI "u8)) return null;
            long riffEnd = Math.Min(file.Length, 8L + BinaryPrimitives.ReadUInt32LittleEndian(header[4..]));
            long pos = 12;
            while (pos + 8 <= riffEnd)
            {
                file.Position = pos;
                if (file.ReadAtLeast(header[..8], 8, throwOnEndOfStream: false) < 8) return null;
                long size = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
                if (header[..4].SequenceEqual("idx1"u8))
                    return size > MaxIndexBytes || pos + 8 + size > file.Length ? null : CountVideoEntries(file, (int)size);
                pos += 8 + size + (size & 1);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // idx1 entries: chunk id (4), flags (4), offset (4), size (4).
    private static long CountVideoEntries(FileStream file, int size)
    {
        var index = new byte[size];
        file.ReadExactly(index);
        long count = 0;
        for (int at = 0; at + 16 <= size; at += 16)
        {
            ReadOnlySpan<byte> id = index.AsSpan(at, 4);
            if (char.IsAsciiDigit((char)id[0]) && char.IsAsciiDigit((char)id[1]) && id[2] == 'd' && id[3] is (byte)'c' or (byte)'b') count++;
        }
        return count;
    }
}
