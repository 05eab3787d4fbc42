using System.Text.Json;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public class PretrainTests
{
    // The tiny CPU recipe at batch 4: the 12 test clips make 3 steps per epoch.
    private static PretrainSettings Tiny()
    {
        PretrainSettings s = PretrainSettings.Load(Path.Combine(RepoPaths.Root, "configs", "pretrain-tiny-cpu.yaml"));
        s.Optim.BatchSize = 4;
        s.Optim.Epochs = 3;
        s.Run.CheckpointEvery = 2;
        s.Run.Seed = 11;
        return s;
    }

    private static Dictionary<long, Dictionary<string, JsonElement>> Metrics(string dir) =>
        MetricsLog.Read(Path.Combine(dir, PretrainRun.MetricsFile)).ToDictionary(r => r["step"].GetInt64());

    private static Task<TrainingSummary> Run(string index, string outDir, long maxSteps, bool resume = false, PretrainSettings? settings = null) =>
        new PretrainRun(settings ?? Tiny(), new PretrainOptions(index, outDir) { MaxSteps = maxSteps, Resume = resume }, TextWriter.Null).RunAsync();

    [Fact]
    public async Task A_resumed_run_gives_the_losses_of_an_uninterrupted_one()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.File("data"));
        string whole = dir.File("whole"), split = dir.File("split");
        // A learning rate large enough that a resume which lost the optimiser's moments or the
        // weights' last update would move the losses well past the tolerance below.
        PretrainSettings Settings() { var s = Tiny(); s.Optim.BaseLr = 0.05; return s; }
        await Run(index, whole, maxSteps: 4, settings: Settings());
        await Run(index, split, maxSteps: 2, settings: Settings());           // "killed" after the checkpoint at step 2
        await Run(index, split, maxSteps: 4, resume: true, settings: Settings());

        var a = Metrics(whole);
        var b = Metrics(split);
        Assert.Equal([1L, 2, 3, 4], b.Keys.Order());
        // Step 3 is the last batch of epoch 0, step 4 the first of epoch 1.
        Assert.Equal(0, b[3]["epoch"].GetInt32());
        Assert.Equal(1, b[4]["epoch"].GetInt32());
        foreach (long step in new long[] { 3, 4 })
            foreach (string term in new[] { "loss_total", "loss_rl", "loss_intra", "loss_cross", "lr", "grad_norm" })
            {
                // Same arithmetic in the same order: equal to float32 rounding of the summed terms.
                double expected = a[step][term].GetDouble();
                Assert.Equal(expected, b[step][term].GetDouble(), 1e-6 * Math.Max(1.0, Math.Abs(expected)));
            }
        Assert.NotEqual(a[3]["loss_total"].GetDouble(), a[4]["loss_total"].GetDouble());
    }

    [Fact]
    public async Task A_run_writes_every_loss_term_its_config_and_weights()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.File("data"));
        string outDir = dir.File("out");
        TrainingSummary summary = await Run(index, outDir, maxSteps: 2);
        Assert.Equal(2, summary.LastStep);

        var records = Metrics(outDir);
        Assert.Equal([1L, 2], records.Keys.Order());
        // docs/method.md's terms: L_intra (video, frame level), L_cross (video, frame), L_rl (two views), L_mse.
        string[] expected =
        [
            "loss_total", "loss_intra", "loss_intra_video", "loss_intra_frame", "loss_cross", "loss_cross_video", "loss_cross_frame",
            "loss_rl", "loss_rl_view1", "loss_rl_view2", "loss_mse", "lr", "grad_norm", "clips_per_s", "feed_wait_ms", "step_ms",
        ];
        foreach (var r in records.Values)
            foreach (string key in expected)
            {
                Assert.True(r.ContainsKey(key), $"metrics lack {key}");
                Assert.True(double.IsFinite(r[key].GetDouble()), $"{key} is not finite");
            }
        // Warmup of 1 epoch = 3 steps at lr 1.5e-4 x 4 / 256: step 1 runs at 0, step 2 at a third.
        Assert.Equal(0.0, records[1]["lr"].GetDouble(), 12);
        Assert.Equal(1.5e-4 * 4 / 256 / 3, records[2]["lr"].GetDouble(), 12);

        foreach (string f in new[] { PretrainRun.ResolvedConfigFile, PretrainRun.ModelFile, PretrainRun.VideoEncoderFile })
            Assert.True(File.Exists(Path.Combine(outDir, f)), $"{f} was not written");
        Assert.True(File.Exists(Path.Combine(outDir, PretrainRun.CheckpointFolder, "ckpt-00000002.safetensors")));
        // The resolved config loads back as the same settings.
        PretrainSettings back = PretrainSettings.Load(Path.Combine(outDir, PretrainRun.ResolvedConfigFile));
        Assert.Equal(4, back.Optim.BatchSize);
        Assert.Equal(11UL, back.Run.Seed);
    }

    [Fact]
    public async Task Test_time_adaptation_takes_k_steps_per_batch_from_given_weights()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.File("data"));
        string pre = dir.File("pre"), tta = dir.File("tta");
        await Run(index, pre, maxSteps: 1);
        await new PretrainRun(Tiny(), new PretrainOptions(index, tta)
        {
            TtaSteps = 2, InitModel = Path.Combine(pre, PretrainRun.ModelFile),
        }, TextWriter.Null).RunAsync();
        var m = Metrics(tta);
        Assert.Equal(6, m.Count);                                    // 3 batches x 2 steps
        Assert.Equal([0L, 0, 1, 1, 2, 2], m.Values.OrderBy(r => r["step"].GetInt64()).Select(r => r["batch"].GetInt64()));
        Assert.All(m.Values, r => Assert.Equal(1.5e-4 * 4 / 256, r["lr"].GetDouble(), 12)); // constant lr
        await Assert.ThrowsAsync<ArgumentException>(() =>
            new PretrainRun(Tiny(), new PretrainOptions(index, dir.File("x")) { TtaSteps = 2 }, TextWriter.Null).RunAsync());
    }

    [Fact]
    public async Task Resume_without_a_checkpoint_and_clips_of_the_wrong_length_are_clear_errors()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.File("data"));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Run(index, dir.File("empty"), 2, resume: true));
        Assert.Contains("no usable checkpoint", e.Message);

        PretrainSettings eight = Tiny();
        eight.Model.Frames = 8;
        e = await Assert.ThrowsAsync<InvalidDataException>(() => Run(index, dir.File("eight"), 1, settings: eight));
        Assert.Contains(index, e.Message);
        Assert.Contains("4 frames", e.Message);
    }

    [Fact]
    public void The_cli_refuses_a_bad_config_with_exit_code_2()
    {
        using var dir = new TempDir();
        string bad = dir.File("bad.yaml");
        File.WriteAllText(bad, "optim:\n  batch_sise: 4\n");
        int code = Program.Main(["pretrain", "--manifest", dir.File("index.json"), "--config", bad, "--out", dir.File("out")]);
        Assert.Equal(2, code);
        Assert.False(Directory.Exists(dir.File("out")));
    }
}
