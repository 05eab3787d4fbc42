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
