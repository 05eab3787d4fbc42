using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CrossVideoMAE.Pipeline.Prepare;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Stages.Video;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>
/// Containers whose frame count lies, made here with ffmpeg and byte surgery. Each must give rows sampled from
/// the frames that decode, with the count ffprobe reaches by decoding (<c>-count_frames</c>) as
/// <c>num_video_frames</c>, and the clip's frames equal to ffmpeg's own decode of the same source frames.
/// The clip is 16 frames at stride 4 (61 frames spanned).
/// </summary>
public sealed class PrepareLyingContainerTests
{
    private const int Span = 61, W = 320, H = 240;

    [Fact]
    public async Task An_avi_whose_header_says_444_frames_while_68_decode_gives_rows_from_the_68()
    {
        // The issue's report: the header (avih, strh) promises 444 frames; the file ends after the 68th frame chunk of
        // its movi list, so idx1 is gone too. The header is read by our own AVI index reader (no tool run).
        using var dir = new TempDir("cvmae-lying");
        string video = Video(dir, "report.avi");
        Ffmpeg("-f", "lavfi", "-i", $"testsrc2=size={W}x{H}:rate=25", "-frames:v", "444", "-c:v", "mjpeg", "-q:v", "5", video);
        Avi.CutAfterFrameChunks(video, 68);
        Assert.Equal(444, ProbeCount(video, null, "nb_frames"));
        Assert.Equal(68, ProbeCount(video, "-count_frames", "nb_read_frames"));

        JsonElement row = await PrepareOneAsync(dir, seed: 3);
        AssertRowFromDecodableFrames(row, video, decodable: 68, dir);
    }

    [Fact]
    public async Task An_mp4_whose_sample_table_lists_more_samples_than_its_media_data_holds_gives_rows_from_the_decodable_frames()
    {
        // Fast start (moov before mdat): the sample tables (stsz, stco) stay whole while mdat is cut to 45%.
        using var dir = new TempDir("cvmae-lying");
        string video = Video(dir, "cut.mp4");
        Ffmpeg("-f", "lavfi", "-i", $"testsrc2=size={W}x{H}:rate=25", "-frames:v", "100", "-c:v", "libx264", "-preset", "ultrafast",
               "-g", "25", "-pix_fmt", "yuv420p", "-movflags", "+faststart", video);
        byte[] bytes = File.ReadAllBytes(video);
        File.WriteAllBytes(video, bytes[..(int)(bytes.Length * 0.45)]);
        Assert.Equal(100, ProbeCount(video, null, "nb_frames"));
        long decodable = ProbeCount(video, "-count_frames", "nb_read_frames");
        Assert.InRange(decodable, 1, 99);

        JsonElement row = await PrepareOneAsync(dir, seed: 1);
        AssertRowFromDecodableFrames(row, video, decodable, dir);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_avi_whose_header_under_reports_its_frames_gives_rows_from_all_of_them(bool withoutIndex)
    {
        // The header (avih, strh) says 30 frames; movi holds 100, and ffmpeg decodes all 100. With idx1 (100 entries)
        // the disagreement is seen before sampling. Without idx1 the clip is sampled from 30: it is padded and ends at
        // frame 29, so the decode looks one frame further, finds it, and the video is counted and sampled again.
        using var dir = new TempDir("cvmae-lying");
        string video = Video(dir, "under.avi");
        Ffmpeg("-f", "lavfi", "-i", $"testsrc2=size={W}x{H}:rate=25", "-frames:v", "100", "-c:v", "mjpeg", "-q:v", "5", video);
        Avi.SetHeaderFrameCount(video, 30);
        if (withoutIndex) Avi.HideIndex(video);
        Assert.Equal(withoutIndex ? null : 100, AviFrameChunks.CountInIndex(video));
        Assert.Equal(30, ProbeCount(video, null, "nb_frames"));
        Assert.Equal(100, ProbeCount(video, "-count_frames", "nb_read_frames"));

        JsonElement row = await PrepareOneAsync(dir, seed: 2);
        AssertRowFromDecodableFrames(row, video, decodable: 100, dir);
        Assert.True(FrameIndices(row).Max() >= 30, "the clip should use frames past the header's count");
    }

    [Fact]
    public async Task An_avi_none_of_whose_frames_decode_is_quarantined_and_named()
    {
        using var dir = new TempDir("cvmae-lying");
        string video = Video(dir, "empty_movi.avi");
        Ffmpeg("-f", "lavfi", "-i", $"testsrc2=size={W}x{H}:rate=25", "-frames:v", "20", "-c:v", "mjpeg", video);
        Avi.CutAfterFrameChunks(video, 0);

        PrepareSummary s = await new PrepareRunner(Options(dir, seed: 1)).RunAsync();
        Assert.Equal((0L, 1), (s.Rows, s.Quarantined));
        QuarantineEntry q = (await ShardIndexFile.LoadAsync(s.Index, default)).Quarantine.Single();
        Assert.Equal(video, q.Input);
        Assert.Contains("no frame", q.Reason, StringComparison.Ordinal);
    }

    private static string Video(TempDir dir, string name)
    {
        string path = Path.Combine(dir.Path, "videos", "cls", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    private static PrepareOptions Options(TempDir dir, ulong seed) => new()
    {
        Format = "folder", Annotations = [Path.Combine(dir.Path, "videos")], OutDir = dir.File("out"), Name = "lying",
        ClipLength = 16, Stride = 4, ShortSide = 120, Seed = seed, Parallelism = 1,
    };

    // Prepares the one video of `dir` and returns its row, read by DuckDB.
    private static async Task<JsonElement> PrepareOneAsync(TempDir dir, ulong seed)
    {
        PrepareOptions options = Options(dir, seed);
        PrepareSummary s = await new PrepareRunner(options).RunAsync();
        ShardIndex index = await ShardIndexFile.LoadAsync(s.Index, default);
        Assert.True(s.Rows == 1, $"expected one row, got {s.Rows}; quarantined: {string.Join("; ", index.Quarantine.Select(q => q.Reason))}");
        string shard = Path.Combine(options.OutDir, index.Shards.Single().File);
        return DuckDb.Query($"SELECT num_video_frames, CAST(frame_indices AS VARCHAR) AS frame_indices, padded, width, height, frame_00, frame_15 FROM {DuckDb.Literal(shard)}")[0];
    }

    private static void AssertRowFromDecodableFrames(JsonElement row, string video, long decodable, TempDir dir)
    {
        Assert.Equal(decodable, row.GetProperty("num_video_frames").GetInt64());
        int[] indices = FrameIndices(row);
        Assert.All(indices, i => Assert.InRange(i, 0, (int)decodable - 1));
        Assert.Equal(decodable < Span, row.GetProperty("padded").GetBoolean());
        int w = row.GetProperty("width").GetInt32(), h = row.GetProperty("height").GetInt32();
        foreach (var (column, frame) in new[] { ("frame_00", indices[0]), ("frame_15", indices[15]) })
        {
            string jpg = dir.File(column + ".jpg");
            File.WriteAllBytes(jpg, Convert.FromBase64String(row.GetProperty(column).GetString()!));
            byte[] ours = FfmpegRaw(["-i", jpg]);
            byte[] truth = FfmpegRaw(["-i", video, "-vf", $"select=eq(n\\,{frame}),scale={w}:{h}:flags=bilinear", "-frames:v", "1"]);
            Assert.Equal(w * h * 3, truth.Length);
            Assert.Equal(truth.Length, ours.Length);
            double mad = ours.Zip(truth, (a, b) => Math.Abs(a - b)).Average();
            Assert.True(mad < 6, $"{column} (source frame {frame}): mean absolute difference {mad:F2} exceeds the JPEG tolerance");
        }
    }

    // "0,4,8" (shard format 1) or "[0, 4, 8]" (a list): the integers in order.
    private static int[] FrameIndices(JsonElement row) =>
        Regex.Matches(row.GetProperty("frame_indices").GetString()!, "[0-9]+").Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture)).ToArray();

    private static long ProbeCount(string path, string? option, string field)
    {
        string[] count = option is null ? [] : [option];
        return long.Parse(ProcessRunner.Run("ffprobe", ["-v", "quiet", .. count, "-select_streams", "V:0", "-show_entries", $"stream={field}", "-of", "csv=p=0", path]).Trim(),
            CultureInfo.InvariantCulture);
    }

    private static void Ffmpeg(params string[] args) => ProcessRunner.Run("ffmpeg", ["-nostdin", "-v", "error", .. args]);

    private static byte[] FfmpegRaw(string[] input) =>
        ProcessRunner.RunBytes("ffmpeg", ["-v", "error", .. input, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);

    /// <summary>Byte surgery on the AVI files ffmpeg writes: RIFF "AVI " holding LIST hdrl (avih, LIST strl with strh),
    /// LIST movi (one chunk per frame), idx1.</summary>
    private static class Avi
    {
        /// <summary>Cuts the file right after the first <paramref name="frames"/> chunks of the movi list; the headers stay.</summary>
        public static void CutAfterFrameChunks(string path, int frames)
        {
            byte[] b = File.ReadAllBytes(path);
            var movi = Chunks(b, 12, b.Length).Single(c => c.Id == "LIST" && Type(b, c) == "movi");
            int pos = movi.Data + 4;
            for (int i = 0; i < frames; i++)
            {
                Assert.Equal("00dc", Id(b, pos));
                pos += 8 + (int)Size(b, pos);
                pos += pos & 1;
            }
            File.WriteAllBytes(path, b[..pos]);
        }

        /// <summary>Writes <paramref name="frames"/> into both frame counts of the header: avih dwTotalFrames and the
        /// video strh dwLength.</summary>
        public static void SetHeaderFrameCount(string path, uint frames)
        {
            byte[] b = File.ReadAllBytes(path);
            var hdrl = Chunks(b, 12, b.Length).First(c => c.Id == "LIST" && Type(b, c) == "hdrl");
            foreach (var c in Chunks(b, hdrl.Data + 4, hdrl.Data + hdrl.Size))
                if (c.Id == "avih") BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(c.Data + 16), frames);
                else if (c.Id == "LIST" && Type(b, c) == "strl")
                    foreach (var d in Chunks(b, c.Data + 4, c.Data + c.Size))
                        if (d.Id == "strh" && Id(b, d.Data) == "vids") BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(d.Data + 32), frames);
            File.WriteAllBytes(path, b);
        }

        /// <summary>Turns idx1 into a JUNK chunk of the same size, so readers find no index.</summary>
        public static void HideIndex(string path)
        {
            byte[] b = File.ReadAllBytes(path);
            var idx1 = Chunks(b, 12, b.Length).Single(c => c.Id == "idx1");
            "JUNK"u8.CopyTo(b.AsSpan(idx1.Data - 8));
            File.WriteAllBytes(path, b);
        }

        private static List<(string Id, int Data, int Size)> Chunks(byte[] b, int from, int to)
        {
            var chunks = new List<(string, int, int)>();
            for (int pos = from; pos + 8 <= to;)
            {
                int size = (int)Size(b, pos);
                chunks.Add((Id(b, pos), pos + 8, size));
                pos += 8 + size + (size & 1);
            }
            return chunks;
        }

        private static string Id(byte[] b, int at) => System.Text.Encoding.ASCII.GetString(b, at, 4);
        private static string Type(byte[] b, (string Id, int Data, int Size) list) => Id(b, list.Data);
        private static uint Size(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at + 4));
    }
}
