using System.Globalization;
using CrossVideoMAE.Pipeline.Prepare;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>
/// A WebM's frame count is read from its blocks without decoding. When blocks do not all decode to
/// frames (here the last three are damaged), the decode of a clip near the end comes up short;
/// prepare then counts the frames by decoding and samples the clip again from the true count.
/// </summary>
public sealed class PrepareRecountTests
{
    private const int Frames = 62, Damaged = 3;

    [Fact]
    public async Task A_webm_whose_last_blocks_do_not_decode_is_recounted_and_sampled_from_its_decodable_frames()
    {
        using var dir = new TempDir("cvmae-recount");
        string video = Path.Combine(dir.Path, "videos", "cls", "damaged.webm");
        Directory.CreateDirectory(Path.GetDirectoryName(video)!);
        Run("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", $"testsrc2=size=64x48:rate=25", "-frames:v", Frames.ToString(CultureInfo.InvariantCulture),
            "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "1000", video);
        DamageLastPackets(video, Damaged);
        long packets = ProbeCount(video, "-count_packets", "nb_read_packets");
        long decodable = ProbeCount(video, "-count_frames", "nb_read_frames");
        Assert.Equal(Frames, packets);
        Assert.True(decodable < Frames, $"damaging the last blocks should leave fewer frames than blocks (got {decodable})");

        // 16 frames at stride 4 span 61 frames: a 62-frame count puts the last clip frame at 60 or 61, in the damaged tail.
        var options = new PrepareOptions
        {
            Format = "folder", Annotations = [Path.Combine(dir.Path, "videos")], OutDir = dir.File("out"), Name = "recount",
            ClipLength = 16, Stride = 4, ShortSide = 64, Seed = 1, Parallelism = 1,
        };
        PrepareSummary s = await new PrepareRunner(options).RunAsync();
        Assert.Equal(1, s.Rows);
        ShardIndex index = await ShardIndexFile.LoadAsync(s.Index, default);
        string shard = Path.Combine(options.OutDir, index.Shards.Single().File);
        var row = DuckDb.Query($"SELECT num_video_frames, array_to_string(frame_indices, ',') AS frame_indices, padded FROM {DuckDb.Literal(shard)}")[0];
        Assert.Equal(decodable, row.GetProperty("num_video_frames").GetInt64());
        int[] indices = row.GetProperty("frame_indices").GetString()!.Split(',').Select(int.Parse).ToArray();
        Assert.All(indices, i => Assert.InRange(i, 0, (int)decodable - 1));
        Assert.Equal(decodable < 61, row.GetProperty("padded").GetBoolean());
    }

    // Zeroes the frame data of the last `count` video packets, keeping the block headers, so the blocks are still
    // listed but their frames do not decode. ffprobe's packet position is where the SimpleBlock's data starts: track
    // number (0x81 for track 1), timecode (2 bytes) and flags (1), then the frame.
    private static void DamageLastPackets(string path, int count)
    {
        using var json = System.Text.Json.JsonDocument.Parse(ProcessRunner.Run("ffprobe",
            ["-v", "error", "-select_streams", "V:0", "-show_entries", "packet=pos,size", "-of", "json", path]));
        var packets = json.RootElement.GetProperty("packets").EnumerateArray()
            .Select(p => (pos: long.Parse(p.GetProperty("pos").GetString()!, CultureInfo.InvariantCulture),
                          size: int.Parse(p.GetProperty("size").GetString()!, CultureInfo.InvariantCulture))).ToList();
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        foreach (var (pos, size) in packets.TakeLast(count))
        {
            f.Position = pos;
            Assert.Equal(0x81, f.ReadByte());
            f.Position = pos + 4;
            f.Write(new byte[size - 4]);
        }
    }

    private static long ProbeCount(string path, string option, string field)
        => long.Parse(ProcessRunner.Run("ffprobe", ["-v", "quiet", option, "-select_streams", "V:0", "-show_entries", $"stream={field}", "-of", "csv=p=0", path]).Trim(),
            CultureInfo.InvariantCulture);

    private static void Run(string program, params string[] args) => ProcessRunner.Run(program, args);
}
