using System.Buffers.Binary;

namespace CrossVideoMAE.Stages.Video;

/// <summary>Finds child boxes inside an ISO base media box payload (size + four-character type headers),
/// never reading past the payload: a box whose size does not fit ends the walk.</summary>
internal static class IsoBoxes
{
    /// <summary>The payload of the first child of type <paramref name="type"/>; empty when there is none.</summary>
    public static ReadOnlySpan<byte> Child(ReadOnlySpan<byte> parent, string type)
    {
        foreach (var (boxType, payload) in Walk(parent))
            if (boxType == type) return parent[payload];
        return [];
    }

    /// <summary>The payload ranges of every child of type <paramref name="type"/>, in order.</summary>
    public static List<Range> Children(ReadOnlySpan<byte> parent, string type)
    {
        var found = new List<Range>();
        foreach (var (boxType, payload) in Walk(parent))
            if (boxType == type) found.Add(payload);
        return found;
    }

    /// <summary>
    /// The header of the top-level box that starts at <paramref name="pos"/> of a file: its four-character type,
    /// its size in bytes with the header (a 64-bit size when the 32-bit one is 1), the header's length (8 or 16)
    /// and whether it ran to the end of the file (size 0, then <c>Size</c> is what is left of the file). False
    /// when the file ends inside the header. The size is not checked against the file: callers judge it.
    /// </summary>
    public static bool TryReadTopBox(Stream file, long pos, out string type, out long size, out int headerBytes, out bool toEnd)
    {
        Span<byte> header = stackalloc byte[16];
        (type, size, headerBytes, toEnd) = ("", 0, 8, false);
        file.Position = pos;
        if (file.ReadAtLeast(header[..8], 8, throwOnEndOfStream: false) < 8) return false;
        type = System.Text.Encoding.ASCII.GetString(header.Slice(4, 4));
        size = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (size == 1)
        {
            if (file.ReadAtLeast(header.Slice(8, 8), 8, throwOnEndOfStream: false) < 8) return false;
            size = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(header[8..]), long.MaxValue);
            headerBytes = 16;
        }
        else if (size == 0) (size, toEnd) = (file.Length - pos, true);
        return true;
    }

    private static List<(string Type, Range Payload)> Walk(ReadOnlySpan<byte> parent)
    {
        var boxes = new List<(string, Range)>();
        int pos = 0;
        while (pos + 8 <= parent.Length)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(parent[pos..]);
            int header = 8;
            if (size == 1)
            {
                if (pos + 16 > parent.Length) break;
                ulong large = BinaryPrimitives.ReadUInt64BigEndian(parent[(pos + 8)..]);
                size = large > int.MaxValue ? long.MaxValue : (long)large;
                header = 16;
            }
            else if (size == 0) size = parent.Length - pos;
            if (size < header || size > parent.Length - pos) break;
            string type = System.Text.Encoding.ASCII.GetString(parent.Slice(pos + 4, 4));
            boxes.Add((type, new Range(pos + header, pos + (int)size)));
            pos += (int)size;
        }
        return boxes;
    }
}
