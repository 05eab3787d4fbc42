using System.Text.Json;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>Fine-tuning trains like pre-training: exact resume, gradient accumulation, data parallel.</summary>
public sealed class FinetuneTrainerTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-ft-trainer");

    public void Dispose() => dir.Dispose();

    // Deterministic forward passes (no drop path, no head dropout) and no mixing, so that splitting a batch
    // into micro-batches or ranks changes nothing but the summation order; 12 train clips (3 classes x 4).
    private static FinetuneSettings Settings(int batch, int accum = 1) => new FinetuneSettings
    {
        Config = "tiny", Size = 32, Epochs = 2, WarmupEpochs = 1, BatchSize = batch, AccumSteps = accum, BaseLr = 5e-2,
        DropPath = 0, HeadDropout = 0, MixupAlpha = 0, CutmixAlpha = 0, EvalSplit = "", Seed = 3,
    }.Validate("test");

    private Task<string> Data() => DownstreamTestData.WriteAsync(dir.File("data"), DownstreamTestData.ColourVideos(train: 4, val: 0));

    private static Task<FinetuneResult> Run(string index, FinetuneSettings s, string outDir, long? maxSteps = null, bool resume = false) =>
        FineTuning.RunAsync(new FinetuneRequest(index, null, s, outDir, Device.CPU) { MaxSteps = maxSteps, Resume = resume }, TextWriter.Null);

    private static Dictionary<long, Dictionary<string, JsonElement>> Metrics(string outDir) =>
        MetricsLog.Read(Path.Combine(outDir, "metrics.jsonl")).ToDictionary(r => r["step"].GetInt64());

    private static void AssertSame(Dictionary<long, Dictionary<string, JsonElement>> a, Dictionary<long, Dictionary<string, JsonElement>> b,
        IEnumerable<long> steps, double relative, params string[] keys)
    {
        foreach (long step in steps)
            foreach (string key in keys)
            {
                double x = a[step][key].GetDouble(), y = b[step][key].GetDouble();
                Assert.True(Math.Abs(x - y) <= relative * Math.Max(1e-12, Math.Abs(x)), $"step {step} {key}: {x} vs {y}");
            }
    }

    [Fact]
    public async Task A_stopped_finetune_resumes_at_the_exact_batch_and_step()
    {
        string index = await Data();
        string whole = dir.File("whole"), split = dir.File("split");
        await Run(index, Settings(4), whole);
        await Run(index, Settings(4), split, maxSteps: 2);        // stopped mid-epoch 0, after a checkpoint
        FinetuneResult r = await Run(index, Settings(4), split, resume: true);
        Assert.Equal(6, r.Steps);                                  // 12 clips: 3 steps of 4 per epoch
        var a = Metrics(whole);
        var b = Metrics(split);
        Assert.Equal([1L, 2, 3, 4, 5, 6], b.Keys.Order());
        AssertSame(a, b, [1, 2, 3, 4, 5, 6], 1e-6, "loss_total", "lr", "grad_norm");
        Assert.NotEqual(a[3]["loss_total"].GetDouble(), a[4]["loss_total"].GetDouble());
    }

    [Fact]
    public async Task Two_micro_batches_accumulate_to_the_step_of_one_batch_of_both()
    {
        string index = await Data();
        string one = dir.File("one"), two = dir.File("two");
        await Run(index, Settings(4), one);
        await Run(index, Settings(2, accum: 2), two);
        var a = Metrics(one);
        var b = Metrics(two);
        // 12 clips: 3 steps of 4 per epoch, either way.
        Assert.Equal([1L, 2, 3, 4, 5, 6], b.Keys.Order());
        AssertSame(a, b, b.Keys, 1e-4, "loss_total", "lr", "grad_norm");
    }

    [Fact]
    public async Task Finetune_on_two_ranks_gives_the_one_rank_losses()
    {
        string index = await Data();
        string one = dir.File("one"), two = dir.File("two");
        await Run(index, Settings(4), one);
        string config = dir.File("ft.yaml");
        File.WriteAllText(config, "config: tiny\nsize: 32\nepochs: 2\nwarmup_epochs: 1\nbatch_size: 4\nbase_lr: 5.0e-2\ndrop_path: 0\nhead_dropout: 0\n" +
                                  "mixup_alpha: 0\ncutmix_alpha: 0\neval_split: ''\nseed: 3\n");
        var r = CvmaeProcess.Run(["finetune", "--manifest", index, "--config", config, "--out", two, "--nproc-per-node", "2"], TimeSpan.FromSeconds(180));
        Assert.True(r.Code == 0, $"exit {r.Code}:\n{r.Stderr}\n{r.Stdout}");
        var a = Metrics(one);
        var b = Metrics(two);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.All(b.Values, x => Assert.Equal(2, x["world_size"].GetInt32()));
        AssertSame(a, b, a.Keys, 1e-4, "loss_total", "lr", "grad_norm");
        Assert.True(File.Exists(Path.Combine(two, "classifier.safetensors")));
    }

    [Fact]
    public async Task Linprobe_on_two_ranks_reports_what_one_rank_does()
    {
        string index = await DownstreamTestData.WriteAsync(dir.File("probe-data"), DownstreamTestData.ColourVideos(train: 2, val: 1));
        string[] Args(string outDir) => ["linprobe", "--manifest", index, "--random-init", "--model", "tiny", "--size", "32", "--batch", "2",
            "--epochs", "10", "--warmup-epochs", "1", "--probe-batch", "4", "--seed", "4", "--threads", "1", "--out", outDir];
        Assert.Equal(0, Program.Main(Args(dir.File("one"))));
        var r = CvmaeProcess.Run([.. Args(dir.File("two")), "--nproc-per-node", "2"], TimeSpan.FromSeconds(180));
        Assert.True(r.Code == 0, $"exit {r.Code}:\n{r.Stderr}\n{r.Stdout}");
        using JsonDocument a = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("one"), "linprobe.json")));
        using JsonDocument b = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("two"), "linprobe.json")));
        // The ranks' features add up exactly (each row is computed by one rank, zeros elsewhere), so the
        // probe trained on them is the same.
        foreach (string key in new[] { "FinalTrainLoss", "TrainTop1", "Top1", "Top5", "TrainClips", "EvalClips" })
            Assert.Equal(a.RootElement.GetProperty(key).GetDouble(), b.RootElement.GetProperty(key).GetDouble());
    }
}
