using System.Buffers.Binary;

namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Reads the first video stream of an AVI file from its <c>hdrl</c> list: frame count and rate from
/// the stream header (<c>strh</c> dwLength, dwRate/dwScale), size from the BITMAPINFOHEADER in
/// <c>strf</c>. Returns null for OpenDML files (over 1 GB, with a super index; ffmpeg counts those
/// from the index) and for streams that start late.
/// </summary>
internal static class AviIndex
{
    private const int MaxHeaderListBytes = 1 << 20;
    public const string ContainerName = "avi";

    public static IndexedVideo? Read(Stream file)
    {
        Span<byte> head = stackalloc byte[24];
        file.Position = 0;
        if (file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length) return null;
        // RIFF <size> "AVI " LIST <size> "hdrl"
        if (!head[..4].SequenceEqual("RIFF"u8) || !head.Slice(8, 4).SequenceEqual("AVI "u8)
            || !head.Slice(12, 4).SequenceEqual("LIST"u8) || !head.Slice(20, 4).SequenceEqual("hdrl"u8)) return null;
        long listBytes = BinaryPrimitives.ReadUInt32LittleEndian(head[16..]) - 4;
        if (listBytes <= 0 || listBytes > MaxHeaderListBytes || 24 + listBytes > file.Length) return null;
        var hdrl = new byte[listBytes];
        if (file.ReadAtLeast(hdrl, hdrl.Length, throwOnEndOfStream: false) < hdrl.Length) return null;

        List<(string Id, Range Data)> chunks = Chunks(hdrl);
        if (chunks.Any(c => c.Id == "LIST:odml")) return null;
        foreach (var (id, data) in chunks)
        {
            if (id != "LIST:strl") continue;
            List<(string Id, Range Data)> stream = Chunks(hdrl.AsSpan(data));
            ReadOnlySpan<byte> strl = hdrl.AsSpan(data);
            ReadOnlySpan<byte> strh = Find(strl, stream, "strh"), strf = Find(strl, stream, "strf");
            if (strh.Length < 36 || !strh[..4].SequenceEqual("vids"u8)) continue;
            if (stream.Any(c => c.Id == "indx")) return null;
            return VideoStream(strh, strf);   // the first video stream, or null
        }
        return null;
    }

    private static IndexedVideo? VideoStream(ReadOnlySpan<byte> strh, ReadOnlySpan<byte> strf)
    {
        // AVISTREAMHEADER: fccType, fccHandler, dwFlags, wPriority, wLanguage, dwInitialFrames, dwScale (20), dwRate (24), dwStart (28), dwLength (32)
        long scale = BinaryPrimitives.ReadUInt32LittleEndian(strh[20..]), rate = BinaryPrimitives.ReadUInt32LittleEndian(strh[24..]);
        long start = BinaryPrimitives.ReadUInt32LittleEndian(strh[28..]), length = BinaryPrimitives.ReadUInt32LittleEndian(strh[32..]);
        if (scale <= 0 || rate <= 0 || start != 0 || length <= 0 || strf.Length < 20) return null;
        // BITMAPINFOHEADER: biSize, biWidth (4), biHeight (8, negative for top-down), biPlanes, biBitCount, biCompression (16)
        int width = BinaryPrimitives.ReadInt32LittleEndian(strf[4..]);
        int height = BinaryPrimitives.ReadInt32LittleEndian(strf[8..]);
        if (height == int.MinValue) return null;
        height = Math.Abs(height);
        if (width <= 0 || height == 0) return null;
        string fourcc = System.Text.Encoding.ASCII.GetString(strf.Slice(16, 4));
        string codec = fourcc.ToUpperInvariant() switch
        {
            "FMP4" or "XVID" or "DIVX" or "DX50" or "MP4V" => "mpeg4",
            "H264" or "X264" or "AVC1" => "h264",
            "MJPG" => "mjpeg",
            _ => fourcc.Trim('\0', ' ').ToLowerInvariant(),
        };
        Rational fps = Rational.Reduce(rate, scale, int.MaxValue);
        return new IndexedVideo(ContainerName, codec, width, height, length, FrameCountSource.Header, fps, fps,
            DurationSeconds: (double)length * scale / rate);
    }

    private static ReadOnlySpan<byte> Find(ReadOnlySpan<byte> parent, List<(string Id, Range Data)> chunks, string id)
    {
        foreach (var c in chunks)
            if (c.Id == id) return parent[c.Data];
        return [];
    }

    // RIFF chunks: id (4), little-endian size (4), data padded to an even length. A LIST's id is reported as
    // "LIST:<type>" with its data after the type.
    private static List<(string Id, Range Data)> Chunks(ReadOnlySpan<byte> parent)
    {
        var chunks = new List<(string, Range)>();
        int pos = 0;
        while (pos + 8 <= parent.Length)
        {
            string id = System.Text.Encoding.ASCII.GetString(parent.Slice(pos, 4));
            long size = BinaryPrimitives.ReadUInt32LittleEndian(parent[(pos + 4)..]);
            if (size > parent.Length - pos - 8) break;
            int data = pos + 8, end = data + (int)size;
            if (id == "LIST" && size >= 4)
                chunks.Add(("LIST:" + System.Text.Encoding.ASCII.GetString(parent.Slice(data, 4)), new Range(data + 4, end)));
            else
                chunks.Add((id, new Range(data, end)));
            pos = end + (int)(size & 1);
        }
        return chunks;
    }
}
