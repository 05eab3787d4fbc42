namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Recognises video containers by their first bytes. Used only to explain an ffprobe failure:
/// a file with a known signature that ffprobe cannot read is truncated or corrupt; a file without
/// one is not a video at all.
/// </summary>
public static class ContainerSignature
{
    private static readonly string[] IsoBoxTypes = ["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid"];

    /// <summary>The container family ("iso-bmff", "matroska", "avi", ...) or null when none matches.</summary>
    public static string? Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 8 && IsoBoxTypes.Contains(System.Text.Encoding.ASCII.GetString(head.Slice(4, 4)))) return "iso-bmff";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3])) return "matroska";
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head.Slice(8, 4).SequenceEqual("AVI "u8)) return "avi";
        if (head.StartsWith("FLV"u8)) return "flv";
        if (head.StartsWith("OggS"u8)) return "ogg";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x01, 0xBA]) || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x01, 0xB3])) return "mpeg-ps";
        if (head.Length >= 189 && head[0] == 0x47 && head[188] == 0x47) return "mpeg-ts";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11])) return "asf";
        return null;
    }

    /// <summary>Reads the first bytes of <paramref name="path"/> and detects its container; null when none
    /// matches or the file cannot be read.</summary>
    public static string? DetectFile(string path)
    {
        Span<byte> head = stackalloc byte[256];
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            int n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return Detect(head[..n]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
