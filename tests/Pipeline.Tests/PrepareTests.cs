using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using CrossVideoMAE.Pipeline.Prepare;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

[Collection(PrepareCollection.Name)]
public class PrepareTests(PrepareFixture fx)
{
    private PrepareOptions SampleOptions(string outDir, double shardMb = 256, InputPartition? part = null) => new()
    {
        Format = "ucf101",
        Annotations = [fx.Sample.Ucf101Dir],
        VideoRoot = fx.Sample.VideosDir,
        OutDir = outDir,
        Name = "sample",
        ClipLength = 8,
        Stride = 2,
        ShortSide = 64,
        Seed = 3,
        ShardSizeBytes = (long)(shardMb * 1024 * 1024),
        Parallelism = 2,
        Partition = part ?? InputPartition.Whole,
    };

    [Fact]
    public async Task Every_input_is_a_row_or_quarantined_with_the_documented_stage()
    {
        using var outDir = new TempDir();
        // 16 frames at stride 4, as documented for the broken set (too_short is then padded).
        var options = SampleOptions(outDir.Path) with
        {
            Annotations = [fx.BrokenSplitDir], VideoRoot = fx.BrokenVideos, Name = "broken", ClipLength = 16, Stride = 4,
        };
        PrepareSummary s = await new PrepareRunner(options).RunAsync();
        ShardIndex index = await ShardIndexFile.LoadAsync(s.Index, default);

        Assert.Equal(fx.Broken.Count, index.Totals.Inputs);
        Assert.Equal(index.Totals.Inputs, index.Totals.Rows + index.Totals.Quarantined);  // one clip per video
        var quarantined = index.Quarantine.ToDictionary(q => Path.GetFileName(q.Input));
        foreach (var b in fx.Broken)
        {
            string name = Path.GetFileName(b.Path);
            if (b.PrepareQuarantines)
            {
                Assert.True(quarantined.ContainsKey(name), $"{name} ({b.Description}) should be quarantined");
                Assert.Equal(b.FailingStage, quarantined[name].Stage);
                Assert.False(string.IsNullOrWhiteSpace(quarantined[name].Reason));
            }
            else Assert.False(quarantined.ContainsKey(name), $"{name} ({b.Description}) should give a clip, got: {quarantined.GetValueOrDefault(name)?.Reason}");
        }

        // The clips that were kept say whether they were padded, as documented per input.
        string shard = Path.Combine(outDir.Path, index.Shards.Single().File);
        var rows = DuckDb.Query($"SELECT source_path, padded, width, height FROM {DuckDb.Literal(shard)}");
        foreach (var b in fx.Broken.Where(b => !b.PrepareQuarantines))
        {
            var row = rows.Single(r => Path.GetFileName(r.GetProperty("source_path").GetString()) == Path.GetFileName(b.Path));
            Assert.Equal(b.Padded, row.GetProperty("padded").GetBoolean());
        }
    }

    [Fact]
    public async Task DuckDB_reads_the_shards_and_the_frames_match_ffmpegs_own_decode()
    {
        using var outDir = new TempDir();
        PrepareSummary s = await new PrepareRunner(SampleOptions(outDir.Path, shardMb: 0.1)).RunAsync();
        ShardIndex index = await ShardIndexFile.LoadAsync(s.Index, default);
        Assert.True(index.Shards.Count >= 2, "the small shard size should roll over");
        Assert.Equal(fx.Sample.Videos.Count, index.Totals.Inputs);

        long total = 0;
        foreach (ShardInfo shard in index.Shards)
        {
            string path = Path.Combine(outDir.Path, shard.File);
            Assert.Equal(shard.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))));
            long n = DuckDb.Query($"SELECT count(*) AS n FROM {DuckDb.Literal(path)}")[0].GetProperty("n").GetInt64();
            Assert.Equal(shard.Rows, n);
            total += n;
        }
        Assert.Equal(index.Totals.Rows, total);

        // One frame of one clip against ffmpeg decoding the same source frame (same size, bilinear).
        string first = Path.Combine(outDir.Path, index.Shards.First(x => x.Split == "train").File);
        var row = DuckDb.Query($"SELECT source_path, array_to_string(frame_indices, ',') AS frame_indices, width, height, frame_03 FROM {DuckDb.Literal(first)} LIMIT 1")[0];
        int frameIndex = int.Parse(row.GetProperty("frame_indices").GetString()!.Split(',')[3]);
        int w = row.GetProperty("width").GetInt32(), h = row.GetProperty("height").GetInt32();
        string jpg = outDir.File("frame.jpg");
        await File.WriteAllBytesAsync(jpg, Convert.FromBase64String(row.GetProperty("frame_03").GetString()!));
        byte[] ours = FfmpegRaw(["-i", jpg]);
        byte[] truth = FfmpegRaw(["-i", row.GetProperty("source_path").GetString()!, "-vf", $"select=eq(n\\,{frameIndex}),scale={w}:{h}:flags=bilinear", "-frames:v", "1"]);
        Assert.Equal(w * h * 3, ours.Length);
        Assert.Equal(truth.Length, ours.Length);
        double mad = ours.Zip(truth, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(mad < 6, $"mean absolute difference {mad:F2} exceeds the JPEG tolerance");
    }

    // ffmpeg's own decode of the given input and filters, as raw RGB24 bytes.
    private static byte[] FfmpegRaw(string[] input) =>
        ProcessRunner.RunBytes("ffmpeg", ["-v", "error", .. input, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);

    [Fact]
    public async Task A_run_killed_with_SIGKILL_and_run_again_gives_the_same_shards()
    {
        using var reference = new TempDir();
        using var resumed = new TempDir();
        await new PrepareRunner(SampleOptions(reference.Path, shardMb: 0.07)).RunAsync();

        string[] args = ["prepare", "--format", "ucf101", "--annotations", fx.Sample.Ucf101Dir, "--videos", fx.Sample.VideosDir,
            "--out", resumed.Path, "--name", "sample", "--clip-length", "8", "--stride", "2", "--short-side", "64", "--seed", "3",
            "--shard-size-mb", "0.07", "--parallelism", "1", "--quiet"];
        string journal = Path.Combine(resumed.Path, ".prepare-journal.jsonl");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cvmae.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var clock = Stopwatch.StartNew();
            while (!p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)
                   && (!File.Exists(journal) || File.ReadAllLines(journal).Length < 2))
                await Task.Delay(10);
            Assert.False(p.HasExited, "the run finished before it could be killed");
            p.Kill(entireProcessTree: true);  // SIGKILL
            await p.WaitForExitAsync();
        }
        Assert.False(File.Exists(Path.Combine(resumed.Path, "index.json")));

        PrepareSummary s = await new PrepareRunner(SampleOptions(resumed.Path, shardMb: 0.07)).RunAsync();
        Assert.True(s.Resumed);

        string[] Shards(string d) => Directory.GetFiles(d, "*.parquet").Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(Shards(reference.Path), Shards(resumed.Path));
        foreach (string f in Shards(reference.Path))
            Assert.Equal(File.ReadAllBytes(Path.Combine(reference.Path, f)), File.ReadAllBytes(Path.Combine(resumed.Path, f)));
        Assert.Empty(Directory.GetFiles(resumed.Path, "*.tmp"));
        Assert.False(Directory.Exists(Path.Combine(resumed.Path, ".decode-scratch")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Shared_ffmpeg_runs_give_the_same_shards_and_quarantine_as_one_run_per_video(bool broken)
    {
        using var alone = new TempDir();
        using var shared = new TempDir();
        // One worker: groups of a quarter of the inputs (3 sample videos, 3 broken ones), so good and bad
        // files share runs and the bad ones go back to be decoded alone.
        PrepareOptions Options(string dir, int batch) => (broken
            ? SampleOptions(dir) with { Annotations = [fx.BrokenSplitDir], VideoRoot = fx.BrokenVideos, Name = "broken", ClipLength = 16, Stride = 4 }
            : SampleOptions(dir)) with { Parallelism = 1, DecodeBatch = batch };
        PrepareSummary a = await new PrepareRunner(Options(alone.Path, 1)).RunAsync();
        PrepareSummary s = await new PrepareRunner(Options(shared.Path, 8)).RunAsync();
        Assert.Equal(3, PrepareGraph.GroupSize(a.Inputs, 1, 8));

        Assert.Equal((a.Rows, a.Quarantined), (s.Rows, s.Quarantined));
        Assert.True(a.Rows > 0);
        Assert.Equal(broken, a.Quarantined > 0);
        ShardIndex ia = await ShardIndexFile.LoadAsync(a.Index, default), isr = await ShardIndexFile.LoadAsync(s.Index, default);
        Assert.Equal(ia.Quarantine.Select(q => (q.Input, q.Stage, q.Reason)), isr.Quarantine.Select(q => (q.Input, q.Stage, q.Reason)));
        Assert.Equal(ia.Shards.Select(x => (x.File, x.Sha256)), isr.Shards.Select(x => (x.File, x.Sha256)));
        foreach (ShardInfo x in ia.Shards)
            Assert.Equal(File.ReadAllBytes(Path.Combine(alone.Path, x.File)), File.ReadAllBytes(Path.Combine(shared.Path, x.File)));
        Assert.False(Directory.Exists(Path.Combine(shared.Path, ".decode-scratch")), "the scratch folder of the shared runs is removed");
    }

    [Theory]
    [InlineData(40, 2, 8, 5)]     // 8 groups of 5: four per worker
    [InlineData(1000, 2, 8, 8)]   // capped by --decode-batch
    [InlineData(3, 2, 8, 1)]
    [InlineData(12, 1, 8, 3)]
    [InlineData(100, 4, 1, 1)]    // --decode-batch 1: a run per video
    public void Groups_leave_at_least_four_per_worker_up_to_the_batch_size(int count, int parallelism, int batch, int expected)
        => Assert.Equal(expected, PrepareGraph.GroupSize(count, parallelism, batch));

    [Fact]
    public async Task Rerunning_a_finished_run_changes_nothing()
    {
        using var outDir = new TempDir();
        await new PrepareRunner(SampleOptions(outDir.Path)).RunAsync();
        var before = Directory.GetFiles(outDir.Path, "*.parquet").ToDictionary(f => f, File.ReadAllBytes);
        PrepareSummary again = await new PrepareRunner(SampleOptions(outDir.Path)).RunAsync();
        Assert.Equal((0, 0, 0, fx.Sample.Videos.Count, 0), (again.Added, again.Removed, again.Changed, again.Kept, again.Decoded));
        foreach (var (f, bytes) in before) Assert.Equal(bytes, File.ReadAllBytes(f));
    }

    [Fact]
    public async Task Other_settings_in_the_same_folder_are_refused()
    {
        using var outDir = new TempDir();
        await new PrepareRunner(SampleOptions(outDir.Path)).RunAsync();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new PrepareRunner(SampleOptions(outDir.Path) with { Seed = 4 }).RunAsync());
        Assert.Contains("other settings", e.Message);
    }
}

[Collection(PrepareCollection.Name)]
public class PrepareSegmentTests(PrepareFixture fx)
{
    [Fact]
    public async Task Segment_sampling_stores_one_frame_per_segment_with_stride_0_and_reads_back()
    {
        using var outDir = new TempDir();
        var options = new PrepareOptions
        {
            Format = "ucf101", Annotations = [fx.Sample.Ucf101Dir], VideoRoot = fx.Sample.VideosDir, OutDir = outDir.Path,
            Name = "seg", ClipLength = 8, ClipMode = Stages.Sampling.ClipSamplingMode.Segments, ClipsPerVideo = 2,
            ShortSide = 48, Seed = 3, Parallelism = 2,
        };
        PrepareSummary summary = await new PrepareRunner(options).RunAsync();
        Assert.Equal(0, summary.Quarantined);
        Assert.Equal(2 * fx.Sample.Videos.Count, summary.Rows);

        ShardIndex index = await ShardIndexFile.LoadAsync(summary.Index);
        int rows = 0;
        foreach (ShardInfo shard in index.Shards)
        {
            await using ShardReader reader = await ShardReader.OpenAsync(outDir.Path, shard);
            await foreach (ShardRow row in reader.ReadRowsAsync())
            {
                rows++;
                Assert.Equal(0, row.Stride);
                int n = row.NumVideoFrames;
                Assert.True(n >= 8, $"{row.VideoId}: {n} frames");
                // Segment i of n frames split in 8 is [floor(i n / 8), floor((i + 1) n / 8) - 1].
                for (int i = 0; i < 8; i++)
                    Assert.InRange(row.FrameIndices[i], i * n / 8, (i + 1) * n / 8 - 1);
            }
        }
        Assert.Equal(summary.Rows, rows);
    }
}
