using System.Globalization;
using CrossVideoMAE.Pipeline.Prepare;
using CrossVideoMAE.Stages.Clips;
using CrossVideoMAE.Stages.Sampling;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>
/// A clip far into a larger video: prepare reads the frame count from the mp4 index, then asks
/// ffprobe for the timestamps and fast-seeks. The frames must still be the source frames the
/// row names, as ffmpeg decodes them from the start.
/// </summary>
public sealed class PrepareSeekTests
{
    private const int Frames = 300, W = 320, H = 240, Fps = 25;

    [Fact]
    public async Task A_clip_far_into_a_video_is_decoded_after_a_seek_and_holds_the_frames_it_names()
    {
        using var dir = new TempDir("cvmae-seek");
        string video = Path.Combine(dir.Path, "videos", "cls", "long.mp4");
        Directory.CreateDirectory(Path.GetDirectoryName(video)!);
        ProcessRunner.Run("ffmpeg", ["-nostdin", "-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={W}x{H}:rate={Fps}",
            "-frames:v", Frames.ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p", video]);

        // A seed whose clip starts late enough that seeking pays (the sampler only picks the scenario).
        ulong seed = Enumerable.Range(1, 200).Select(s => (ulong)s).First(s =>
            new ClipSampler(new ClipSamplerOptions { FramesPerClip = 16, Stride = 4, Seed = s }).Sample("long", Frames)[0].FirstFrame
                - Fps > ClipPlanner.SeekPaysAbovePixels / (W * H) + 1);
        var options = new PrepareOptions
        {
            Format = "folder", Annotations = [Path.Combine(dir.Path, "videos")], OutDir = dir.File("out"), Name = "seek",
            ClipLength = 16, Stride = 4, ShortSide = 120, Seed = seed, Parallelism = 1,
        };
        PrepareSummary s = await new PrepareRunner(options).RunAsync();
        Assert.Equal(1, s.Rows);
        ShardIndex index = await ShardIndexFile.LoadAsync(s.Index, default);
        string shard = Path.Combine(options.OutDir, index.Shards.Single().File);
        var row = DuckDb.Query($"SELECT num_video_frames, array_to_string(frame_indices, ',') AS frame_indices, width, height, frame_00, frame_15 FROM {DuckDb.Literal(shard)}")[0];
        Assert.Equal(Frames, row.GetProperty("num_video_frames").GetInt32());
        int[] indices = row.GetProperty("frame_indices").GetString()!.Split(',').Select(int.Parse).ToArray();
        Assert.True(indices[0] > Fps, $"the clip should start past the seek margin (starts at {indices[0]})");
        int w = row.GetProperty("width").GetInt32(), h = row.GetProperty("height").GetInt32();
        Assert.Equal((160, 120), (w, h));

        foreach (var (column, frame) in new[] { ("frame_00", indices[0]), ("frame_15", indices[15]) })
        {
            string jpg = dir.File(column + ".jpg");
            await File.WriteAllBytesAsync(jpg, Convert.FromBase64String(row.GetProperty(column).GetString()!));
            byte[] ours = FfmpegRaw(["-i", jpg]);
            byte[] truth = FfmpegRaw(["-i", video, "-vf", $"select=eq(n\\,{frame}),scale={w}:{h}:flags=bilinear", "-frames:v", "1"]);
            Assert.Equal(truth.Length, ours.Length);
            double mad = ours.Zip(truth, (a, b) => Math.Abs(a - b)).Average();
            Assert.True(mad < 6, $"{column} (source frame {frame}): mean absolute difference {mad:F2} exceeds the JPEG tolerance");
            // A neighbouring frame differs clearly (testsrc2 moves), so a frame off by one would fail.
            byte[] neighbour = FfmpegRaw(["-i", video, "-vf", $"select=eq(n\\,{frame + 1}),scale={w}:{h}:flags=bilinear", "-frames:v", "1"]);
            Assert.True(ours.Zip(neighbour, (a, b) => Math.Abs(a - b)).Average() > mad, $"{column}: the next frame matches as well");
        }
    }

    // ffmpeg's own decode of the given input and filters, as raw RGB24 bytes.
    private static byte[] FfmpegRaw(string[] input) =>
        ProcessRunner.RunBytes("ffmpeg", ["-v", "error", .. input, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
}
