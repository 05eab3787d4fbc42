using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CrossVideoMAE.Pipeline.Config;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>
/// Data-parallel pre-training over c10d (Gloo on 127.0.0.1): ranks are `cvmae pretrain` processes,
/// started by `--nproc-per-node` or by hand with the variables torchrun sets. The one-rank reference
/// runs in this process.
/// </summary>
public class DistributedPretrainTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(180);

    // Tiny recipe, global batch 4 over the 12 one-size test clips (3 steps per epoch), mixup/cutmix off
    // (they mix within a rank's batch); RandAugment and random erasing stay on (drawn per sample).
    private static PretrainSettings Settings(ulong seed = 11)
    {
        PretrainSettings s = PretrainSettings.Load(Path.Combine(RepoPaths.Root, "configs", "pretrain-tiny-cpu.yaml"));
        s.Optim.BatchSize = 4;
        s.Optim.Epochs = 3;
        s.Optim.BaseLr = 0.05;
        s.Run.CheckpointEvery = 2;
        s.Run.Seed = seed;
        s.Augment.Mixup = false;
        s.Augment.Cutmix = false;
        return s;
    }

    private static string WriteConfig(TempDir dir, string name, PretrainSettings s)
    {
        string path = dir.File(name);
        File.WriteAllText(path, StrictYaml.Serialize(s));
        return path;
    }

    private static Dictionary<long, Dictionary<string, JsonElement>> Metrics(string outDir) =>
        MetricsLog.Read(Path.Combine(outDir, PretrainRun.MetricsFile)).ToDictionary(r => r["step"].GetInt64());

    private static string[] PretrainArgs(string index, string config, string outDir, long maxSteps, params string[] more) =>
        ["pretrain", "--manifest", index, "--config", config, "--out", outDir, "--max-steps", maxSteps.ToString(), "--quiet", .. more];

    private static void AssertSucceeded((int Code, string Stdout, string Stderr) r) =>
        Assert.True(r.Code == 0, $"cvmae exited with {r.Code}:\n{r.Stderr}\n{r.Stdout}");

    private static void AssertLossesAgree(Dictionary<long, Dictionary<string, JsonElement>> one, Dictionary<long, Dictionary<string, JsonElement>> two, IEnumerable<long> steps)
    {
        foreach (long step in steps)
            foreach (string term in new[] { "loss_total", "loss_intra", "loss_cross", "loss_rl", "grad_norm" })
            {
                double expected = one[step][term].GetDouble(), actual = two[step][term].GetDouble();
                Assert.True(Math.Abs(actual - expected) <= 1e-4 * Math.Abs(expected), $"step {step} {term}: 2 ranks {actual}, 1 rank {expected}");
            }
    }

    [Fact]
    public async Task Two_ranks_give_the_one_rank_losses_and_weights_on_the_same_global_batch()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.File("data"), oneSize: true);
        string one = dir.File("one"), two = dir.File("two");
        await new PretrainRun(Settings(), new PretrainOptions(index, one) { MaxSteps = 6 }, TextWriter.Null).RunAsync();
        AssertSucceeded(CvmaeProcess.Run(PretrainArgs(index, WriteConfig(dir, "c.yaml", Settings()), two, 6, "--nproc-per-node", "2"), Limit));

        var a = Metrics(one);
        var b = Metrics(two);
        Assert.Equal([1L, 2, 3, 4, 5, 6], b.Keys.Order());
        Assert.All(b.Values, r => Assert.Equal(2, r["world_size"].GetInt32()));
        AssertLossesAgree(a, b, Enumerable.Range(1, 6).Select(i => (long)i));

        // The weights after six AdamW steps agree to float32 rounding (the all-reduce sums in another order),
        // except the key bias: its true gradient is zero (softmax ignores a constant added to every key), so
        // what it gets is rounding noise that AdamW normalises into lr-sized steps; only q and v biases count.
        (Dictionary<string, Tensor> wa, _) = SafeTensors.Load(Path.Combine(one, PretrainRun.ModelFile));
        (Dictionary<string, Tensor> wb, _) = SafeTensors.Load(Path.Combine(two, PretrainRun.ModelFile));
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        foreach (string k in wa.Keys)
        {
            using var scope = torch.NewDisposeScope();
            Tensor x = wa[k], y = wb[k];
            if (k.EndsWith("attn.qkv.bias", StringComparison.Ordinal))
            {
                long d = x.size(0) / 3;
                x = torch.cat([x.narrow(0, 0, d), x.narrow(0, 2 * d, d)], 0);
                y = torch.cat([y.narrow(0, 0, d), y.narrow(0, 2 * d, d)], 0);
            }
            double diff = (x - y).abs().max().item(), scale = Math.Max(1.0, x.abs().max().item());
            Assert.True(diff <= 5e-7 * scale, $"{k}: 2 ranks and 1 rank differ by {diff:E2} after 6 steps");
        }
        foreach (Tensor t in wa.Values.Concat(wb.Values)) t.Dispose();
        // Only rank 0 wrote: one metrics file, one set of checkpoints.
        Assert.Equal(["ckpt-00000002.safetensors", "ckpt-00000004.safetensors", "ckpt-00000006.safetensors"],
            Directory.GetFiles(Path.Combine(two, PretrainRun.CheckpointFolder)).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Two_ranks_accumulating_gradients_give_the_one_rank_losses()
    {
        // Two micro-batches per optimiser step: the ranks average the gradients in the backward pass of the
        // second only (the first accumulates locally); the grad norm of each step shows the sum is the global one.
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.File("data"), oneSize: true);
        string one = dir.File("one"), two = dir.File("two");
        PretrainSettings Accumulating()
        {
            PretrainSettings s = Settings();
            s.Optim.BatchSize = 2;
            s.Optim.AccumSteps = 2;
            return s;
        }
        await new PretrainRun(Accumulating(), new PretrainOptions(index, one) { MaxSteps = 3 }, TextWriter.Null).RunAsync();
        AssertSucceeded(CvmaeProcess.Run(PretrainArgs(index, WriteConfig(dir, "c.yaml", Accumulating()), two, 3, "--nproc-per-node", "2"), Limit));
        var b = Metrics(two);
        Assert.Equal([1L, 2, 3], b.Keys.Order());
        AssertLossesAgree(Metrics(one), b, [1, 2, 3]);
    }

    [Fact]
    public async Task A_two_rank_run_stopped_after_a_checkpoint_resumes_at_the_exact_step()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.File("data"), oneSize: true);
        string one = dir.File("one"), two = dir.File("two");
        string config = WriteConfig(dir, "c.yaml", Settings());
        await new PretrainRun(Settings(), new PretrainOptions(index, one) { MaxSteps = 4 }, TextWriter.Null).RunAsync();
        AssertSucceeded(CvmaeProcess.Run(PretrainArgs(index, config, two, 2, "--nproc-per-node", "2"), Limit));
        // Without --quiet, so that the resume line (an info line, on stderr) is logged.
        var r = CvmaeProcess.Run([.. PretrainArgs(index, config, two, 4, "--nproc-per-node", "2", "--resume").Where(a => a != "--quiet")], Limit);
        AssertSucceeded(r);
        Assert.Contains("resume: ", r.Stderr);

        var b = Metrics(two);
        Assert.Equal([1L, 2, 3, 4], b.Keys.Order());
        Assert.Equal(1, b[4]["epoch"].GetInt32());   // step 4 is the first of epoch 1
        AssertLossesAgree(Metrics(one), b, [3, 4]);
    }

    [Fact]
    public async Task A_killed_rank_stops_the_other_with_an_error_naming_it()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.File("data"), oneSize: true);
        PretrainSettings s = Settings();
        s.Optim.Epochs = 10_000;
        string config = WriteConfig(dir, "c.yaml", s), outDir = dir.File("out");
        int port = CvmaeProcess.FreePort();
        using var rank0 = new CvmaeProcess(PretrainArgs(index, config, outDir, 1_000_000), CvmaeProcess.RankEnv(0, 2, port));
        using var rank1 = new CvmaeProcess(PretrainArgs(index, config, outDir, 1_000_000), CvmaeProcess.RankEnv(1, 2, port));

        // Wait until the ranks train together (rank 0 has logged a step), then kill rank 1.
        string metrics = Path.Combine(outDir, PretrainRun.MetricsFile);
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(metrics) && new FileInfo(metrics).Length > 0))
        {
            Assert.True(clock.Elapsed < Limit, "the ranks did not start training");
            Assert.False(rank0.HasExited, "rank 0 stopped before training");
            await Task.Delay(100);
        }
        rank1.Kill();
        clock.Restart();
        var (code, _, stderr) = rank0.Wait(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, code);
        Assert.Contains("rank 0 of 2", stderr);
        Assert.Contains("rank 1 stopped", stderr);
    }

    [Fact]
    public async Task Ranks_with_different_configs_refuse_to_train()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.File("data"), oneSize: true);
        int port = CvmaeProcess.FreePort();
        using var rank0 = new CvmaeProcess(PretrainArgs(index, WriteConfig(dir, "a.yaml", Settings(11)), dir.File("out"), 2), CvmaeProcess.RankEnv(0, 2, port));
        using var rank1 = new CvmaeProcess(PretrainArgs(index, WriteConfig(dir, "b.yaml", Settings(12)), dir.File("out"), 2), CvmaeProcess.RankEnv(1, 2, port));
        var r0 = rank0.Wait(Limit);
        var r1 = rank1.Wait(Limit);
        Assert.Equal(2, r0.Code);
        Assert.Equal(2, r1.Code);
        Assert.Contains("rank(s) 1 resolved a different config", r0.Stderr);
        Assert.False(File.Exists(Path.Combine(dir.File("out"), PretrainRun.MetricsFile)));
    }

    [Fact]
    public void A_missing_master_address_and_a_port_in_use_are_clear_errors()
    {
        using var dir = new TempDir();
        string config = WriteConfig(dir, "c.yaml", Settings());
        var env = CvmaeProcess.RankEnv(0, 2, CvmaeProcess.FreePort());
        env.Remove("MASTER_ADDR");
        var r = CvmaeProcess.Run(PretrainArgs(dir.File("index.json"), config, dir.File("out"), 2), Limit, env);
        Assert.Equal(2, r.Code);
        Assert.Contains("MASTER_ADDR is not set", r.Stderr);

        var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        try
        {
            int port = ((IPEndPoint)busy.LocalEndpoint).Port;
            r = CvmaeProcess.Run(PretrainArgs(dir.File("index.json"), config, dir.File("out"), 2), Limit, CvmaeProcess.RankEnv(0, 2, port));
            Assert.Equal(2, r.Code);
            Assert.Contains($"127.0.0.1:{port}", r.Stderr);
            Assert.Contains("in use", r.Stderr);
        }
        finally
        {
            busy.Stop();
        }
    }
}
