using System.Globalization;
using System.Text.Json;
using CrossVideoMAE.Stages.SampleData;
using CrossVideoMAE.Stages.Video;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>
/// The in-process container index reader against ffprobe: size, codec and average frame rate as
/// ffprobe prints them, and a frame count equal to the frames ffprobe decodes (<c>-count_frames</c>).
/// </summary>
[Collection(VideoCollection.Name)]
public sealed class ContainerIndexTests(VideoTestFiles files)
{
    private readonly ContainerIndexReader _reader = new();

    [Theory]
    [InlineData("cfr.mp4", FrameCountSource.Header)]
    [InlineData("cfr.webm", FrameCountSource.Packets)]
    [InlineData("cfr.avi", FrameCountSource.Header)]
    [InlineData("ntsc.mp4", FrameCountSource.Header)]
    [InlineData("long.mp4", FrameCountSource.Header)]     // index first (fast start)
    [InlineData("offset.mp4", FrameCountSource.Header)]   // timestamps start at 10 s
    [InlineData("odd.webm", FrameCountSource.Packets)]    // 161x97
    public void Reads_what_ffprobe_reports_and_the_frames_ffmpeg_decodes(string name, FrameCountSource source)
    {
        string path = Path.Combine(files.Dir, name);
        VideoInfo info = _reader.TryRead(path) ?? throw new Xunit.Sdk.XunitException($"{name} was not read");
        AssertMatchesFfprobe(path, info);
        Assert.Equal(source, info.FrameCountSource);
        Assert.False(info.TimingFromFfprobe);
        Assert.Null(info.StreamIndex);
    }

    [Theory]
    [InlineData("vfr.mp4")]            // frame durations vary: ffprobe decides what the rate is
    [InlineData("rotated.mp4")]        // display matrix: ffprobe reports the rotation
    [InlineData("audio.mp4")]          // no video track
    [InlineData("truncated_moov.mp4")] // the index was at the end and is cut off
    [InlineData("text.mp4")]
    [InlineData("empty.mp4")]
    [InlineData("still.mp4")]
    [InlineData("no_such_file.mp4")]
    public void Leaves_to_ffprobe_what_it_cannot_read_exactly(string name)
        => Assert.Null(_reader.TryRead(Path.Combine(files.Dir, name)));

    [Fact]
    public async Task Every_sample_dataset_video_reads_as_ffprobe_reports_it()
    {
        using var dir = new TempDir("cvmae-index");
        SampleDataset sample = await new SampleDatasetGenerator().GenerateAsync(new SampleDatasetOptions
        {
            OutputDir = dir.Path, Classes = 3, VideosPerClass = 3, Seed = 11, Quick = true,
        });
        Assert.Equal(3, sample.Videos.Select(v => v.Container).Distinct().Count());   // mp4, webm and avi
        foreach (SampleVideo v in sample.Videos)
        {
            string path = Path.Combine(sample.Root, v.RelativePath);
            VideoInfo info = _reader.TryRead(path) ?? throw new Xunit.Sdk.XunitException($"{v.RelativePath} was not read");
            AssertMatchesFfprobe(path, info);
        }
    }

    [Fact]
    public void A_webm_cut_short_counts_only_its_whole_blocks()
    {
        using var dir = new TempDir("cvmae-index");
        byte[] bytes = File.ReadAllBytes(Path.Combine(files.Dir, "cfr.webm"));
        string cut = dir.File("cut.webm");
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 6 / 10)]);
        VideoInfo info = _reader.TryRead(cut) ?? throw new Xunit.Sdk.XunitException("the cut webm was not read");
        long packets = WholePackets(cut, bytes.Length * 6 / 10);
        Assert.InRange(packets, 1, VideoTestFiles.Frames - 1);
        Assert.Equal(packets, info.FrameCount);
    }

    [Fact]
    public void A_webm_at_an_ntsc_rate_reads_ffprobes_reduced_rate()
    {
        using var dir = new TempDir("cvmae-index");
        string path = dir.File("ntsc.webm");
        VideoTestFiles.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30000/1001:duration=1",
            "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", path);
        VideoInfo info = _reader.TryRead(path)!;
        Assert.Equal(new Rational(30000, 1001), info.AverageFrameRate);
        AssertMatchesFfprobe(path, info);
    }

    [Fact]
    public void A_webm_in_a_matroska_file_and_an_h264_mkv_are_read()
    {
        using var dir = new TempDir("cvmae-index");
        string mkv = dir.File("h264.mkv");
        VideoTestFiles.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=24:duration=2", "-f", "lavfi", "-i", "sine=duration=2",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", mkv);
        VideoInfo info = _reader.TryRead(mkv)!;
        Assert.Equal(48, info.FrameCount);
        AssertMatchesFfprobe(mkv, info);
    }

    [Theory]
    [InlineData(1_000_000_000L, 33_366_666L, 30000L, 30000L, 1001L)]   // 29.97 fps DefaultDuration, as ffmpeg reduces it
    [InlineData(1_000_000_000L, 41_666_666L, 30000L, 24L, 1L)]
    [InlineData(1_000_000_000L, 33_333_333L, 30000L, 30L, 1L)]
    [InlineData(12800L, 512L, 2147483647L, 25L, 1L)]                      // exact: gcd only
    [InlineData(355L, 113L, 100L, 22L, 7L)]                               // pi-ish: best fraction with terms <= 100
    public void Reduce_finds_the_closest_fraction_within_the_limit(long num, long den, long max, long en, long ed)
        => Assert.Equal(new Rational(en, ed), Rational.Reduce(num, den, max));

    private static void AssertMatchesFfprobe(string path, VideoInfo info)
    {
        using JsonDocument doc = JsonDocument.Parse(ProcessRunner.Run("ffprobe",
            ["-v", "error", "-select_streams", "V:0", "-count_frames", "-show_entries",
             "stream=codec_name,width,height,avg_frame_rate,nb_read_frames", "-of", "json", path]));
        JsonElement s = doc.RootElement.GetProperty("streams")[0];
        Assert.Equal(s.GetProperty("codec_name").GetString(), info.Codec);
        Assert.Equal((s.GetProperty("width").GetInt32(), s.GetProperty("height").GetInt32()), (info.Width, info.Height));
        Assert.Equal(s.GetProperty("avg_frame_rate").GetString(), info.AverageFrameRate.ToString());
        Assert.Equal(long.Parse(s.GetProperty("nb_read_frames").GetString()!, CultureInfo.InvariantCulture), info.FrameCount);
    }

    // Video packets ffprobe lists whose bytes lie wholly inside the first `length` bytes.
    private static long WholePackets(string path, long length)
    {
        using JsonDocument doc = JsonDocument.Parse(ProcessRunner.Run("ffprobe",
            ["-v", "quiet", "-select_streams", "V:0", "-show_entries", "packet=pos,size", "-of", "json", path]));
        return doc.RootElement.GetProperty("packets").EnumerateArray()
            .Count(p => long.Parse(p.GetProperty("pos").GetString()!, CultureInfo.InvariantCulture)
                        + long.Parse(p.GetProperty("size").GetString()!, CultureInfo.InvariantCulture) <= length);
    }
}
