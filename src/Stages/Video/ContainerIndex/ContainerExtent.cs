using System.Buffers.Binary;

namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Tells, from the sizes a container writes into its top-level structure, whether the file ends before the
/// container says it does: AVI (each top-level <c>RIFF</c> chunk's size), ISO BMFF (each top-level box's size,
/// e.g. an <c>mdat</c> cut short behind a fast-start <c>moov</c>), Matroska/WebM (the <c>Segment</c>'s size, when
/// known). A file cut short keeps the frame count in its header while frames at the end are gone, so its count is
/// not to be trusted: the frames are counted by decoding before any is sampled. Reads a few headers only; never
/// throws for a bad file (false when it cannot tell).
/// </summary>
public static class ContainerExtent
{
    private const uint EbmlHeader = 0x1A45DFA3, Segment = 0x18538067;

    public static bool IsCutShort(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096);
            Span<byte> head = stackalloc byte[256];
            int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return ContainerSignature.Detect(head[..n]) switch
            {
                "avi" => RiffCutShort(file),
                "iso-bmff" => BoxesCutShort(file),
                "matroska" => SegmentCutShort(file),
                _ => false,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // RIFF "AVI " then, in OpenDML files over 1 GB, further RIFF "AVIX" chunks: each an 8-byte header and its data,
    // padded to an even length (the last chunk's padding byte may be missing without any data being lost).
    private static bool RiffCutShort(FileStream file)
    {
        long length = file.Length, pos = 0;
        Span<byte> header = stackalloc byte[8];
        while (pos + 8 <= length)
        {
            file.Position = pos;
            if (file.ReadAtLeast(header, 8, throwOnEndOfStream: false) < 8) return true;
            if (!header[..4].SequenceEqual("RIFF"u8)) return false;   // trailing data after the RIFF chunks: not ours to judge
            long end = pos + 8 + BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (end > length) return true;
            pos = end + (end & 1);
        }
        return false;
    }

    private static bool BoxesCutShort(FileStream file)
    {
        long length = file.Length, pos = 0;
        while (pos + 8 <= length)
        {
            if (!IsoBoxes.TryReadTopBox(file, pos, out _, out long size, out _, out bool toEnd)) return true;
            if (toEnd) return false;            // the last box runs to the end of the file, whatever its length
            if (size < 8) return false;         // not a box structure this check can follow
            if (size > length - pos) return true;
            pos += size;
        }
        return false;
    }

    private static bool SegmentCutShort(FileStream file)
    {
        file.Position = 0;
        if (!Ebml.TryReadHeader(file, out uint id, out long size) || id != EbmlHeader || size < 0) return false;
        file.Position += size;
        if (!Ebml.TryReadHeader(file, out id, out size) || id != Segment || size == Ebml.UnknownSize) return false;
        return size > file.Length - file.Position;
    }
}
