using System.Buffers.Binary;

namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// EBML (Matroska, WebM) element headers: a variable-length ID (1-4 bytes, marker bit kept) and a
/// variable-length size (1-8 bytes, marker bit removed; all ones means "unknown size", returned as -1).
/// Reads from a seekable stream for the large top-level elements and from memory for small ones.
/// </summary>
internal static class Ebml
{
    public const long UnknownSize = -1;

    /// <summary>Reads an element header at the stream's position; false at the end of the data or on an invalid header.</summary>
    public static bool TryReadHeader(Stream s, out uint id, out long size)
    {
        id = 0;
        size = 0;
        int first = s.ReadByte();
        if (first <= 0) return false;
        int idLength = LengthOf((byte)first);
        if (idLength > 4) return false;
        id = (uint)first;
        for (int i = 1; i < idLength; i++)
        {
            int b = s.ReadByte();
            if (b < 0) return false;
            id = (id << 8) | (uint)b;
        }
        int sizeFirst = s.ReadByte();
        if (sizeFirst <= 0) return false;
        int sizeLength = LengthOf((byte)sizeFirst);
        long value = sizeFirst & (0xFF >> sizeLength);
        bool allOnes = value == 0xFF >> sizeLength;
        for (int i = 1; i < sizeLength; i++)
        {
            int b = s.ReadByte();
            if (b < 0) return false;
            value = (value << 8) | (uint)b;
            allOnes &= b == 0xFF;
        }
        size = allOnes ? UnknownSize : value;
        return true;
    }

    /// <summary>The children of an in-memory element payload as (id, payload range); stops at the first header
    /// that is invalid, of unknown size, or does not fit.</summary>
    public static List<(uint Id, Range Data)> Children(ReadOnlySpan<byte> parent)
    {
        var children = new List<(uint, Range)>();
        int pos = 0;
        while (pos < parent.Length)
        {
            if (!TryReadVint(parent[pos..], keepMarker: true, out long id, out int idLength) || idLength > 4) break;
            if (!TryReadVint(parent[(pos + idLength)..], keepMarker: false, out long size, out int sizeLength) || size < 0) break;
            int data = pos + idLength + sizeLength;
            if (size > parent.Length - data) break;
            children.Add(((uint)id, new Range(data, data + (int)size)));
            pos = data + (int)size;
        }
        return children;
    }

    /// <summary>A variable-length integer from memory (a block's track number uses the size form, marker removed).</summary>
    public static bool TryReadVint(ReadOnlySpan<byte> data, bool keepMarker, out long value, out int length)
    {
        value = 0;
        length = 0;
        if (data.IsEmpty || data[0] == 0) return false;
        length = LengthOf(data[0]);
        if (data.Length < length) return false;
        value = keepMarker ? data[0] : data[0] & (0xFF >> length);
        bool allOnes = !keepMarker && value == 0xFF >> length;
        for (int i = 1; i < length; i++)
        {
            value = (value << 8) | data[i];
            allOnes &= data[i] == 0xFF;
        }
        if (allOnes) value = UnknownSize;
        return true;
    }

    public static ulong UInt(ReadOnlySpan<byte> data)
    {
        ulong v = 0;
        foreach (byte b in data[..Math.Min(8, data.Length)]) v = (v << 8) | b;
        return v;
    }

    public static double Float(ReadOnlySpan<byte> data) => data.Length switch
    {
        4 => BinaryPrimitives.ReadSingleBigEndian(data),
        8 => BinaryPrimitives.ReadDoubleBigEndian(data),
        _ => double.NaN,
    };

    // The number of leading zero bits plus one: the vint's length in bytes.
    private static int LengthOf(byte first) => System.Numerics.BitOperations.LeadingZeroCount((uint)first) - 24 + 1;
}
