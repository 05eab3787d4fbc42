using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.SampleData;
using CrossVideoMAE.Stages.Sampling;
using CrossVideoMAE.Stages.Video;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>A quick sample dataset with all six classes, two videos each, made once for these tests.</summary>
public sealed class SampleDatasetFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new("cvmae-sample");
    public SampleDataset Dataset { get; private set; } = null!;

    public async Task InitializeAsync()
        => Dataset = await new SampleDatasetGenerator().GenerateAsync(new SampleDatasetOptions
        {
            OutputDir = _dir.File("sample"), Classes = 6, VideosPerClass = 2, Seed = 11, Quick = true,
        });

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SampleDatasetTests(SampleDatasetFixture fixture) : IClassFixture<SampleDatasetFixture>
{
    private SampleDataset D => fixture.Dataset;

    [Fact]
    public void Layout_holds_every_class_split_and_container()
    {
        Assert.Equal(["growing", "moving_down", "moving_left", "moving_right", "moving_up", "shrinking"], D.ClassNames);
        Assert.Equal(12, D.Videos.Count);
        Assert.All(D.Videos, v => Assert.True(File.Exists(Path.Combine(D.Root, v.RelativePath)), v.RelativePath));
        Assert.Equal(6, D.Videos.Count(v => v.Split == DatasetSplits.Val));
        Assert.Equal(["avi", "mp4", "webm"], D.Videos.Select(v => v.Container).Distinct().Order());
        Assert.All(D.Videos, v => Assert.Equal(D.ClassNames.ToList().IndexOf(v.ClassName), v.Label));
    }

    [Fact]
    public async Task Probe_reports_what_the_generator_told_ffmpeg_to_write()
    {
        var probe = new VideoProbe();
        foreach (SampleVideo v in D.Videos)
        {
            VideoInfo info = await probe.ProbeAsync(Path.Combine(D.Root, v.RelativePath));
            Assert.Equal((v.Width, v.Height, v.FrameCount, v.Codec), (info.Width, info.Height, (int)info.FrameCount, info.Codec));
            Assert.Equal(v.Fps, info.Fps, 3);
            Assert.False(info.IsVariableFrameRate);
        }
    }

    [Fact]
    public async Task Every_reader_reads_the_same_videos_with_the_same_labels()
    {
        var folder = await new FolderDatasetReader(D.VideosDir).ReadAsync();
        var kinetics = await new Kinetics400Reader(D.VideosDir, D.KineticsCsvFiles).ReadAsync();
        var ucf = await new Ucf101Reader(D.Ucf101Dir, D.VideosDir).ReadAsync();
        var hmdb = await new Hmdb51Reader(D.Hmdb51Dir, D.VideosDir).ReadAsync();
        var ssv2 = await new SomethingSomethingV2Reader(D.Ssv2LabelsFile, D.Ssv2VideosDir, D.Ssv2AnnotationFiles).ReadAsync();

        var truth = D.Videos.ToDictionary(v => v.VideoId);
        foreach (DatasetManifest m in new[] { folder, kinetics, ucf, hmdb })
        {
            Assert.Equal(truth.Count, m.Entries.Count);
            Assert.Equal(6, m.LabelNames.Count);
            foreach (VideoEntry e in m.Entries)
            {
                SampleVideo v = truth[e.VideoId];
                Assert.Equal(v.Label, e.Label);
                Assert.Equal(Path.GetFullPath(Path.Combine(D.Root, v.RelativePath)), Path.GetFullPath(e.Path));
                if (m.Format != "folder")   // the folder reader has one split for everything
                    Assert.Equal(v.Split == DatasetSplits.Train, e.Split == DatasetSplits.Train);
            }
        }
        Assert.Equal(["growing", "moving down", "moving left", "moving right", "moving up", "shrinking"], kinetics.LabelNames);

        var bySsv2 = D.Videos.ToDictionary(v => v.Ssv2Id);
        Assert.Equal(12, ssv2.Entries.Count);
        foreach (VideoEntry e in ssv2.Entries)
        {
            SampleVideo v = bySsv2[e.VideoId];
            Assert.Equal(v.Label, e.Label);
            Assert.Equal(v.Split, e.Split);
            Assert.True(File.Exists(e.Path));   // the link resolves
            Assert.Equal(File.ReadAllBytes(Path.Combine(D.Root, v.RelativePath)), File.ReadAllBytes(e.Path));
        }
        Assert.Equal("Approaching something with your camera", ssv2.LabelNames[0]);
    }

    [Fact]
    public void Each_class_shows_its_motion_against_the_background_alone() => AssertEachClassMoves(D);

    [Fact]
    public async Task One_scene_keeps_every_draw_but_the_background_and_box_colour()
    {
        using var dir = new TempDir();
        SampleDataset one = await new SampleDatasetGenerator().GenerateAsync(new SampleDatasetOptions
        {
            OutputDir = dir.File("one"), Classes = 6, VideosPerClass = 2, Seed = 11, Quick = true, OneScene = true,
        });
        Assert.Equal(D.Videos.Select(v => (v.VideoId, v.Width, v.Height, v.FrameCount, v.Container)),
            one.Videos.Select(v => (v.VideoId, v.Width, v.Height, v.FrameCount, v.Container)));
        Assert.All(one.Videos, v => Assert.Equal("0xFFFFFF", v.BoxColor));
        // One gradient from corner to corner: only the frame size and the corner's coordinates differ.
        Assert.Single(one.Videos.Select(v => System.Text.RegularExpressions.Regex.Replace(v.Background, @"size=\d+x\d+|x1=\d+|y1=\d+", "")).Distinct());
        Assert.True(D.Videos.Select(v => v.Background).Distinct().Count() > 3);   // the ordinary sample varies it

        // The scene is still: ffmpeg's own render of it barely changes from the first frame to the last.
        SampleVideo a = one.Videos[0];
        byte[] bg = VideoTestFiles.RunBytes("ffmpeg", ["-nostdin", "-v", "error", "-f", "lavfi", "-i", a.Background, "-frames:v", a.FrameCount.ToString(),
            "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"]);
        int size = a.Width * a.Height * 3;
        double change = 0;
        for (int i = 0; i < size; i++) change += Math.Abs(bg[i] - bg[(a.FrameCount - 1) * size + i]);
        Assert.True(change / size < 1.0, $"the background changes by {change / size:F2} levels per channel over {a.RelativePath}");
        AssertEachClassMoves(one);
    }

    private static void AssertEachClassMoves(SampleDataset d)
    {
        // Where the frame differs from the same lavfi background rendered without the box is the box.
        foreach (SampleVideo v in d.Videos.Where(v => v.Split == DatasetSplits.Train))
        {
            string path = Path.Combine(d.Root, v.RelativePath);
            byte[][] frames = VideoTestFiles.DecodeAllWithFfmpeg(path, v.Width, v.Height);
            byte[] all = VideoTestFiles.RunBytes("ffmpeg", ["-nostdin", "-v", "error", "-f", "lavfi", "-i", v.Background, "-frames:v", v.FrameCount.ToString(),
                "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"]);
            int size = v.Width * v.Height * 3;
            (double x, double y, int area) Box(int k)
            {
                byte[] f = frames[k];
                double sx = 0, sy = 0; int n = 0;
                for (int p = 0; p < v.Width * v.Height; p++)
                {
                    int d = Math.Abs(f[3 * p] - all[k * size + 3 * p]) + Math.Abs(f[3 * p + 1] - all[k * size + 3 * p + 1]) + Math.Abs(f[3 * p + 2] - all[k * size + 3 * p + 2]);
                    if (d > 150) { sx += p % v.Width; sy += p / v.Width; n++; }
                }
                return n == 0 ? (double.NaN, double.NaN, 0) : (sx / n, sy / n, n);
            }
            var first = Box(0);
            var last = Box(v.FrameCount - 1);
            string what = $"{v.ClassName} {v.RelativePath}: first {first}, last {last}";
            switch (v.ClassName)
            {
                case "moving_left": Assert.True(first.x - last.x > v.Width * 0.3, what); break;
                case "moving_right": Assert.True(last.x - first.x > v.Width * 0.3, what); break;
                case "moving_up": Assert.True(first.y - last.y > v.Height * 0.3, what); break;
                case "moving_down": Assert.True(last.y - first.y > v.Height * 0.3, what); break;
                case "growing": Assert.True(last.area > 3 * first.area, what); break;
                case "shrinking": Assert.True(first.area > 3 * last.area, what); break;
                default: Assert.Fail(what); break;
            }
        }
    }

    [Fact]
    public async Task Same_seed_writes_the_same_bytes_another_seed_other_videos()
    {
        using var dir = new TempDir();
        var gen = new SampleDatasetGenerator();
        SampleDataset a = await gen.GenerateAsync(new SampleDatasetOptions { OutputDir = dir.File("a"), Classes = 1, VideosPerClass = 3, Seed = 5, Quick = true });
        SampleDataset b = await gen.GenerateAsync(new SampleDatasetOptions { OutputDir = dir.File("b"), Classes = 1, VideosPerClass = 3, Seed = 5, Quick = true });
        SampleDataset c = await gen.GenerateAsync(new SampleDatasetOptions { OutputDir = dir.File("c"), Classes = 1, VideosPerClass = 3, Seed = 6, Quick = true });
        Assert.Equal(a.Videos.Select(v => v with { }).Select(v => v.VideoId), b.Videos.Select(v => v.VideoId));
        foreach ((SampleVideo x, SampleVideo y) in a.Videos.Zip(b.Videos))
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Root, x.RelativePath)), File.ReadAllBytes(Path.Combine(b.Root, y.RelativePath)));
        Assert.Equal(File.ReadAllText(Path.Combine(a.KineticsDir, "train.csv")), File.ReadAllText(Path.Combine(b.KineticsDir, "train.csv")));
        Assert.NotEqual(a.Videos.Select(v => v.VideoId), c.Videos.Select(v => v.VideoId));

        // Writing again into a sample folder replaces it; a foreign folder is refused.
        await gen.GenerateAsync(new SampleDatasetOptions { OutputDir = dir.File("a"), Classes = 1, VideosPerClass = 1, Seed = 5, Quick = true });
        Assert.Single(Directory.GetFiles(Path.Combine(dir.File("a"), "videos"), "*", SearchOption.AllDirectories));
        Directory.CreateDirectory(dir.File("foreign"));
        File.WriteAllText(Path.Combine(dir.File("foreign"), "thesis.tex"), "x");
        await Assert.ThrowsAsync<IOException>(() => gen.GenerateAsync(new SampleDatasetOptions { OutputDir = dir.File("foreign"), Classes = 1, VideosPerClass = 1, Quick = true }));
    }
}

public sealed class SampleBrokenInputTests
{
    [Fact]
    public async Task Each_broken_input_ends_as_documented()
    {
        using var dir = new TempDir();
        IReadOnlyList<BrokenInput> inputs = await new SampleDatasetGenerator().GenerateBrokenInputsAsync(dir.Path);
        Assert.Equal(10, inputs.Count);
        var probe = new VideoProbe();
        var decoder = new VideoDecoder();
        var clips = new ClipSampler(ClipSamplerOptions.Kinetics400);
        var problems = new List<string>();
        foreach (BrokenInput input in inputs)
        {
            void Check(bool ok, string what) { if (!ok) problems.Add($"{input.Name}: {what}"); }
            try
            {
                VideoInfo info = await probe.ProbeAsync(input.Path);
                SampledClip clip = clips.Sample(input.Name, info.FrameCount).Single();
                DecodedFrames frames = await decoder.DecodeAsync(info, clip.FrameIndices);
                Check(!input.ShouldFail, $"went through but should fail at {input.FailingStage} with {input.Failure}");
                Check(input.DisplaySize == (info.DisplayWidth, info.DisplayHeight), $"display size {info.DisplayWidth}x{info.DisplayHeight}, expected {input.DisplaySize}");
                Check(input.DecodedSize == (frames.Width, frames.Height), $"decoded size {frames.Width}x{frames.Height}, expected {input.DecodedSize}");
                Check(frames.Frames.Count == 16, $"{frames.Frames.Count} frames");
                Check(input.Padded == clip.Padded, $"padded {clip.Padded}");
                Check(input.VariableFrameRate == info.IsVariableFrameRate, $"variable rate {info.IsVariableFrameRate} (avg {info.AverageFrameRate}, r {info.RealFrameRate})");
                Check(input.Rotation == info.Rotation, $"rotation {info.Rotation}");
            }
            catch (VideoInputException e)
            {
                Check(input.ShouldFail, $"failed unexpectedly: {e.Message}");
                Check((input.FailingStage, input.Failure) == (e.Stage, e.Failure), $"failed at {e.Stage} with {e.Failure}: {e.Message}");
                Check(input.Path == e.FilePath, $"exception names {e.FilePath}");
                Check(!e.IsTransient, "reported as transient");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
