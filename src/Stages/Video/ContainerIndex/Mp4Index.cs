using System.Buffers.Binary;

namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Reads the first video track of an ISO base media file (mp4, mov) from its <c>moov</c> box:
/// size from the sample description, frame count from the sample size table (<c>stsz</c>/<c>stz2</c>),
/// rate from the time-to-sample table (<c>stts</c>). Returns null for anything it does not read
/// exactly as ffmpeg would: a fragmented file, a missing or cut index, a display matrix other than
/// identity, an edit list that hides frames, or more than two frame durations (variable rate).
/// </summary>
internal static class Mp4Index
{
    private const long MaxMoovBytes = 256L << 20;
    public const string ContainerName = "mov,mp4,m4a,3gp,3g2,mj2";

    public static IndexedVideo? Read(Stream file)
    {
        byte[]? moov = ReadMoov(file);
        if (moov is null) return null;
        if (!IsoBoxes.Child(moov, "mvex").IsEmpty) return null;   // fragmented: the samples live in moof boxes
        long movieTimescale = MovieTimescale(IsoBoxes.Child(moov, "mvhd"));
        foreach (Range trak in IsoBoxes.Children(moov, "trak"))
        {
            if (!IsVideo(moov.AsSpan(trak))) continue;
            return ReadVideoTrack(moov.AsSpan(trak), movieTimescale);   // the first video track, or null
        }
        return null;
    }

    // Walks the top-level boxes (seeking over mdat) to the moov box and reads it whole.
    private static byte[]? ReadMoov(Stream file)
    {
        long length = file.Length, pos = 0;
        while (pos + 8 <= length)
        {
            if (!IsoBoxes.TryReadTopBox(file, pos, out string type, out long size, out int headerBytes, out _)) return null;
            if (size < headerBytes || size > length - pos) return null;   // malformed or cut short
            if (type == "moov")
            {
                long payload = size - headerBytes;
                if (payload > MaxMoovBytes) return null;
                var moov = new byte[payload];
                file.Position = pos + headerBytes;
                return file.ReadAtLeast(moov, moov.Length, throwOnEndOfStream: false) == moov.Length ? moov : null;
            }
            pos += size;
        }
        return null;
    }

    private static bool IsVideo(ReadOnlySpan<byte> trak)
    {
        ReadOnlySpan<byte> hdlr = IsoBoxes.Child(IsoBoxes.Child(trak, "mdia"), "hdlr");
        return hdlr.Length >= 12 && hdlr.Slice(8, 4).SequenceEqual("vide"u8);
    }

    private static IndexedVideo? ReadVideoTrack(ReadOnlySpan<byte> trak, long movieTimescale)
    {
        if (!IdentityMatrix(IsoBoxes.Child(trak, "tkhd"))) return null;
        ReadOnlySpan<byte> mdia = IsoBoxes.Child(trak, "mdia");
        if (MediaHeader(IsoBoxes.Child(mdia, "mdhd")) is not (> 0 and var timescale, var mediaDuration)) return null;

        ReadOnlySpan<byte> stbl = IsoBoxes.Child(IsoBoxes.Child(mdia, "minf"), "stbl");
        (string codec, int width, int height)? entry = SampleEntry(IsoBoxes.Child(stbl, "stsd"));
        long samples = SampleCount(stbl);
        List<(long count, long delta)>? stts = TimeToSample(IsoBoxes.Child(stbl, "stts"));
        if (entry is null || samples <= 0 || stts is null || stts.Count is 0 or > 2) return null;
        if (stts.Count == 2 && stts[1].count != 1) return null;   // one odd last duration still counts as constant rate
        if (stts.Sum(e => e.count) != samples || stts[0].delta <= 0) return null;
        if (!EditKeepsEveryFrame(IsoBoxes.Child(IsoBoxes.Child(trak, "edts"), "elst"), IsoBoxes.Child(stbl, "ctts"),
                                 stts, samples, timescale, movieTimescale)) return null;

        long totalDuration = stts.Sum(e => e.count * e.delta);
        var (codec, width, height) = entry.Value;
        return new IndexedVideo(
            ContainerName, codec, width, height, samples, FrameCountSource.Header,
            AverageFrameRate: Rational.Reduce(checked(timescale * samples), totalDuration, int.MaxValue),
            NominalFrameRate: Rational.Reduce(timescale, stts[0].delta, int.MaxValue),
            DurationSeconds: (double)(mediaDuration > 0 ? mediaDuration : totalDuration) / timescale);
    }

    private static long MovieTimescale(ReadOnlySpan<byte> mvhd)
    {
        if (mvhd.Length < 4) return 0;
        int at = mvhd[0] == 1 ? 20 : 12;
        return mvhd.Length < at + 4 ? 0 : BinaryPrimitives.ReadUInt32BigEndian(mvhd[at..]);
    }

    /// <summary>True when the edit list shows every sample: none, or empty edits (a start delay) plus one edit at normal
    /// speed whose window holds every sample's presentation time. ffmpeg drops samples outside the window.</summary>
    private static bool EditKeepsEveryFrame(ReadOnlySpan<byte> elst, ReadOnlySpan<byte> ctts, List<(long count, long delta)> stts,
        long samples, long mediaTimescale, long movieTimescale)
    {
        if (elst.IsEmpty) return true;
        if (elst.Length < 8) return false;
        bool wide = elst[0] == 1;
        int entryBytes = wide ? 20 : 12;
        long entries = BinaryPrimitives.ReadUInt32BigEndian(elst[4..]);
        if (entries > (elst.Length - 8) / entryBytes) return false;
        (long mediaTime, long segment)? edit = null;
        for (int i = 0; i < entries; i++)
        {
            ReadOnlySpan<byte> e = elst.Slice(8 + i * entryBytes, entryBytes);
            long segment = wide ? (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(e), long.MaxValue) : BinaryPrimitives.ReadUInt32BigEndian(e);
            long mediaTime = wide ? BinaryPrimitives.ReadInt64BigEndian(e[8..]) : BinaryPrimitives.ReadInt32BigEndian(e[4..]);
            int rate = BinaryPrimitives.ReadInt32BigEndian(e[(wide ? 16 : 8)..]);
            if (mediaTime == -1) { if (edit is not null) return false; continue; }   // empty edit: a delay before the media
            if (edit is not null || rate != 0x10000 || mediaTime < 0) return false;
            edit = (mediaTime, segment);
        }
        if (edit is not var (start, segmentMovie)) return true;

        long[]? offsets = CompositionOffsets(ctts, samples);
        if (offsets is null) return false;
        long end = segmentMovie == 0 || movieTimescale <= 0 ? long.MaxValue
            : start + (long)((Int128)segmentMovie * mediaTimescale / movieTimescale);
        long dts = 0;
        int k = 0;
        foreach (var (count, delta) in stts)
            for (long i = 0; i < count; i++, k++, dts += delta)
            {
                long pts = dts + offsets[k];
                if (pts < start || pts >= end) return false;
            }
        return true;
    }

    // Per-sample composition offsets (all zero without ctts); null when the table is malformed.
    private static long[]? CompositionOffsets(ReadOnlySpan<byte> ctts, long samples)
    {
        if (samples > 50_000_000) return null;
        var offsets = new long[samples];
        if (ctts.IsEmpty) return offsets;
        if (ctts.Length < 8) return null;
        long entries = BinaryPrimitives.ReadUInt32BigEndian(ctts[4..]);
        if (entries > (ctts.Length - 8) / 8) return null;
        long k = 0;
        for (int i = 0; i < entries; i++)
        {
            long count = BinaryPrimitives.ReadUInt32BigEndian(ctts[(8 + 8 * i)..]);
            int offset = BinaryPrimitives.ReadInt32BigEndian(ctts[(12 + 8 * i)..]);   // read signed, as ffmpeg does
            if (count > samples - k) return null;
            offsets.AsSpan((int)k, (int)count).Fill(offset);
            k += count;
        }
        return k == samples ? offsets : null;
    }

    private static bool IdentityMatrix(ReadOnlySpan<byte> tkhd)
    {
        if (tkhd.Length < 4) return false;
        int matrixAt = (tkhd[0] == 1 ? 4 + 32 : 4 + 20) + 16;
        if (tkhd.Length < matrixAt + 36) return false;
        ReadOnlySpan<byte> m = tkhd.Slice(matrixAt, 36);
        int a = BinaryPrimitives.ReadInt32BigEndian(m), b = BinaryPrimitives.ReadInt32BigEndian(m[4..]);
        int c = BinaryPrimitives.ReadInt32BigEndian(m[12..]), d = BinaryPrimitives.ReadInt32BigEndian(m[16..]);
        return a == 0x10000 && b == 0 && c == 0 && d == 0x10000;
    }

    private static (long Timescale, long Duration)? MediaHeader(ReadOnlySpan<byte> mdhd)
    {
        if (mdhd.Length < 4) return null;
        if (mdhd[0] == 1)
            return mdhd.Length < 32 ? null : (BinaryPrimitives.ReadUInt32BigEndian(mdhd[20..]), (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(mdhd[24..]), long.MaxValue));
        return mdhd.Length < 20 ? null : (BinaryPrimitives.ReadUInt32BigEndian(mdhd[12..]), BinaryPrimitives.ReadUInt32BigEndian(mdhd[16..]));
    }

    private static (string, int, int)? SampleEntry(ReadOnlySpan<byte> stsd)
    {
        // full box header (4), entry count (4), then the first entry: size (4), format (4), 6 reserved, data ref (2),
        // 16 bytes of pre-defined/reserved, width (2), height (2).
        if (stsd.Length < 8 + 36 || BinaryPrimitives.ReadUInt32BigEndian(stsd[4..]) < 1) return null;
        ReadOnlySpan<byte> e = stsd[8..];
        string format = System.Text.Encoding.ASCII.GetString(e.Slice(4, 4));
        int width = BinaryPrimitives.ReadUInt16BigEndian(e[32..]), height = BinaryPrimitives.ReadUInt16BigEndian(e[34..]);
        if (width <= 0 || height <= 0) return null;
        string codec = format switch
        {
            "avc1" or "avc3" => "h264",
            "hvc1" or "hev1" => "hevc",
            "mp4v" => "mpeg4",
            "vp09" => "vp9",
            "vp08" => "vp8",
            "av01" => "av1",
            "mjpa" or "mjpb" or "jpeg" => "mjpeg",
            _ => format.Trim(),
        };
        return (codec, width, height);
    }

    private static long SampleCount(ReadOnlySpan<byte> stbl)
    {
        ReadOnlySpan<byte> stsz = IsoBoxes.Child(stbl, "stsz");
        if (stsz.Length >= 12) return BinaryPrimitives.ReadUInt32BigEndian(stsz[8..]);
        ReadOnlySpan<byte> stz2 = IsoBoxes.Child(stbl, "stz2");
        return stz2.Length >= 12 ? BinaryPrimitives.ReadUInt32BigEndian(stz2[8..]) : 0;
    }

    private static List<(long, long)>? TimeToSample(ReadOnlySpan<byte> stts)
    {
        if (stts.Length < 8) return null;
        long entries = BinaryPrimitives.ReadUInt32BigEndian(stts[4..]);
        if (entries > (stts.Length - 8) / 8) return null;
        var list = new List<(long, long)>((int)Math.Min(entries, 4));
        for (int i = 0; i < entries && list.Count <= 2; i++)
            list.Add((BinaryPrimitives.ReadUInt32BigEndian(stts[(8 + 8 * i)..]), BinaryPrimitives.ReadUInt32BigEndian(stts[(12 + 8 * i)..])));
        return list;
    }
}
