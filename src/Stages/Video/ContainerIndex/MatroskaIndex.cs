namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Reads the first video track of a Matroska or WebM file: size and default frame duration from
/// <c>Tracks</c>, duration from <c>Info</c>, and the frame count by counting the track's blocks in
/// every cluster (headers only, payloads are skipped; the Matroska header has no frame count).
/// A block cut off by the end of the file is not counted. Returns null for laced video blocks,
/// clusters of unknown size (live streams), clusters before the track list, and projected video.
/// </summary>
internal static class MatroskaIndex
{
    public const string ContainerName = "matroska,webm";
    private const int MaxHeaderElementBytes = 16 << 20;
    private const uint EbmlHeader = 0x1A45DFA3, Segment = 0x18538067, Info = 0x1549A966, Tracks = 0x1654AE6B, Cluster = 0x1F43B675;
    private const uint TimecodeScale = 0x2AD7B1, Duration = 0x4489;
    private const uint TrackEntry = 0xAE, TrackNumber = 0xD7, TrackType = 0x83, CodecId = 0x86, DefaultDuration = 0x23E383;
    private const uint Video = 0xE0, PixelWidth = 0xB0, PixelHeight = 0xBA, Projection = 0x7670;
    private const uint SimpleBlock = 0xA3, BlockGroup = 0xA0, Block = 0xA1;

    private sealed record VideoTrack(long Number, string Codec, int Width, int Height, long DefaultDurationNs);

    public static IndexedVideo? Read(Stream file)
    {
        long length = file.Length;
        file.Position = 0;
        if (!Ebml.TryReadHeader(file, out uint id, out long size) || id != EbmlHeader || size < 0) return null;
        file.Position += size;
        if (!Ebml.TryReadHeader(file, out id, out size) || id != Segment) return null;
        long segmentEnd = size == Ebml.UnknownSize ? length : Math.Min(length, file.Position + size);

        long scaleNs = 1_000_000;
        double duration = double.NaN;
        VideoTrack? track = null;
        long blocks = 0;
        while (file.Position < segmentEnd && Ebml.TryReadHeader(file, out id, out size))
        {
            long start = file.Position;
            if (id == Cluster)
            {
                if (track is null || size == Ebml.UnknownSize) return null;
                long? counted = CountBlocks(file, Math.Min(segmentEnd, start + size), track.Number);
                if (counted is null) return null;
                blocks += counted.Value;
            }
            else if (id is Info or Tracks)
            {
                if (size < 0 || size > MaxHeaderElementBytes || start + size > length) return null;
                var payload = new byte[size];
                file.ReadExactly(payload);
                if (id == Info) (scaleNs, duration) = ReadInfo(payload);
                else if ((track = ReadTracks(payload)) is null) return null;
            }
            else if (size == Ebml.UnknownSize) return null;
            file.Position = start + size;
        }
        if (track is null || blocks <= 0) return null;

        double seconds = double.IsFinite(duration) && duration > 0 ? duration * scaleNs / 1e9 : 0;
        // ffmpeg's matroska demuxer: avg_frame_rate = 1e9 / DefaultDuration reduced to terms of at most 30000.
        Rational fps = track.DefaultDurationNs > 0
            ? Rational.Reduce(1_000_000_000, track.DefaultDurationNs, 30000)
            : seconds > 0 ? Rational.Reduce(blocks * 1_000_000, (long)Math.Round(seconds * 1_000_000), 30000) : Rational.Unknown;
        if (!fps.IsValid) return null;
        return new IndexedVideo(ContainerName, track.Codec, track.Width, track.Height, blocks, FrameCountSource.Packets, fps, fps,
            seconds > 0 ? seconds : blocks / fps.Value);
    }

    private static (long ScaleNs, double Duration) ReadInfo(ReadOnlySpan<byte> info)
    {
        long scale = 1_000_000;
        double duration = double.NaN;
        foreach (var (id, data) in Ebml.Children(info))
        {
            if (id == TimecodeScale) scale = (long)Math.Min(Ebml.UInt(info[data]), long.MaxValue);
            else if (id == Duration) duration = Ebml.Float(info[data]);
        }
        return (scale > 0 ? scale : 1_000_000, duration);
    }

    // The first video track; null when there is none or it cannot be read.
    private static VideoTrack? ReadTracks(ReadOnlySpan<byte> tracks)
    {
        foreach (var (id, entryRange) in Ebml.Children(tracks))
        {
            if (id != TrackEntry) continue;
            ReadOnlySpan<byte> entry = tracks[entryRange];
            long number = 0, type = 0, defaultDuration = 0;
            string codec = "";
            int width = 0, height = 0;
            bool projected = false;
            foreach (var (field, data) in Ebml.Children(entry))
            {
                ReadOnlySpan<byte> v = entry[data];
                switch (field)
                {
                    case TrackNumber: number = (long)Math.Min(Ebml.UInt(v), long.MaxValue); break;
                    case TrackType: type = (long)Ebml.UInt(v); break;
                    case CodecId: codec = System.Text.Encoding.ASCII.GetString(v).TrimEnd('\0'); break;
                    case DefaultDuration: defaultDuration = (long)Math.Min(Ebml.UInt(v), long.MaxValue); break;
                    case Video:
                        foreach (var (videoField, vd) in Ebml.Children(v))
                        {
                            if (videoField == PixelWidth) width = (int)Math.Min(Ebml.UInt(v[vd]), int.MaxValue);
                            else if (videoField == PixelHeight) height = (int)Math.Min(Ebml.UInt(v[vd]), int.MaxValue);
                            else if (videoField == Projection) projected = true;
                        }
                        break;
                }
            }
            if (type != 1) continue;
            if (number <= 0 || width <= 0 || height <= 0 || projected) return null;
            return new VideoTrack(number, CodecName(codec), width, height, defaultDuration);
        }
        return null;
    }

    private static string CodecName(string codecId) => codecId switch
    {
        "V_VP9" => "vp9",
        "V_VP8" => "vp8",
        "V_AV1" => "av1",
        "V_MPEG4/ISO/AVC" => "h264",
        "V_MPEGH/ISO/HEVC" => "hevc",
        "V_MPEG4/ISO/ASP" or "V_MPEG4/ISO/SP" => "mpeg4",
        "V_MJPEG" => "mjpeg",
        _ => codecId,
    };

    // Blocks of the track inside one cluster, up to `end`; a block that runs past the end is not counted.
    // Null when a block of the track is laced (several frames per block).
    private static long? CountBlocks(Stream file, long end, long trackNumber)
    {
        long count = 0;
        Span<byte> head = stackalloc byte[12];
        while (file.Position < end && Ebml.TryReadHeader(file, out uint id, out long size))
        {
            long start = file.Position;
            if (size < 0 || start + size > end) break;
            if (id == SimpleBlock || id == BlockGroup)
            {
                long blockStart = start, blockSize = size;
                if (id == BlockGroup && !FindBlock(file, start + size, out blockStart, out blockSize)) { file.Position = start + size; continue; }
                file.Position = blockStart;
                int n = file.ReadAtLeast(head[..(int)Math.Min(head.Length, blockSize)], (int)Math.Min(head.Length, blockSize), throwOnEndOfStream: false);
                if (Ebml.TryReadVint(head[..n], keepMarker: false, out long track, out int trackLength) && n >= trackLength + 3 && track == trackNumber)
                {
                    byte flags = head[trackLength + 2];
                    if ((flags & 0x06) != 0) return null;   // laced
                    count++;
                }
            }
            file.Position = start + size;
        }
        return count;
    }

    private static bool FindBlock(Stream file, long groupEnd, out long blockStart, out long blockSize)
    {
        while (file.Position < groupEnd && Ebml.TryReadHeader(file, out uint id, out long size))
        {
            long start = file.Position;
            if (size < 0 || start + size > groupEnd) break;
            if (id == Block) { blockStart = start; blockSize = size; return true; }
            file.Position = start + size;
        }
        blockStart = blockSize = 0;
        return false;
    }
}
