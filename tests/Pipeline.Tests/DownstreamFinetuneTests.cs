using CrossVideoMAE.Pipeline.Config;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public sealed class DownstreamFinetuneTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-finetune");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Soft_target_cross_entropy_by_hand()
    {
        // logits (0, ln 3) -> softmax (1/4, 3/4); targets (0.5, 0.5): loss = -(0.5 ln 1/4 + 0.5 ln 3/4)
        using Tensor logits = torch.tensor(new float[] { 0, (float)Math.Log(3), 0, 0 }, 2, 2);
        using Tensor targets = torch.tensor(new float[] { 0.5f, 0.5f, 1, 0 }, 2, 2);
        using Tensor loss = FineTuning.SoftTargetCrossEntropy(logits, targets);
        double first = -(0.5 * Math.Log(0.25) + 0.5 * Math.Log(0.75)), second = -Math.Log(0.5);
        Assert.Equal((first + second) / 2, loss.item(), 5);
    }

    [Fact]
    public void Yaml_keys_are_strict_and_values_checked()
    {
        string good = dir.File("ft.yaml");
        File.WriteAllText(good, "epochs: 3\nwarmup_epochs: 1\nbase_lr: 1.0e-3\nmixup_alpha: 0\nrepeated_augmentation: 3\n");
        var s = StrictYaml.Load<FinetuneSettings>(good).Validate(good);
        Assert.Equal(3, s.Epochs);
        Assert.Equal(1e-3 * 8 / 256, s.Lr, 12);
        Assert.Equal(0.75, s.LayerDecay);
        Assert.Equal(3, s.RepeatedAugmentation);
        Assert.Equal(2, new FinetuneSettings().RepeatedAugmentation);   // the paper's 2 by default
        string typo = dir.File("typo.yaml");
        File.WriteAllText(typo, "epochs: 3\nlayer_decy: 0.5\n");
        Assert.Contains(typo, Assert.Throws<InvalidDataException>(() => StrictYaml.Load<FinetuneSettings>(typo)).Message);
        var e = Assert.Throws<ArgumentException>(() => new FinetuneSettings { WarmupEpochs = 9, Epochs = 2 }.Validate("x.yaml"));
        Assert.Contains("warmup_epochs", e.Message);
    }

    [Fact]
    public void Repeated_augmentation_is_checked()
    {
        var e = Assert.Throws<ArgumentException>(() => new FinetuneSettings { RepeatedAugmentation = 0 }.Validate("ft.yaml"));
        Assert.Contains("repeated_augmentation", e.Message);
        e = Assert.Throws<ArgumentException>(() => new FinetuneSettings { DecodeThreads = 0 }.Validate("ft.yaml"));
        Assert.Contains("decode_threads", e.Message);
    }

    [Fact]
    public async Task A_train_split_smaller_than_one_step_is_a_clear_error()
    {
        string index = await DownstreamTestData.WriteAsync(dir.Path, DownstreamTestData.ColourVideos(train: 2, val: 0));
        var settings = new FinetuneSettings { Config = "tiny", Size = 32, Epochs = 1, WarmupEpochs = 0, BatchSize = 4, AccumSteps = 2 }.Validate("test");
        var e = await Assert.ThrowsAsync<InvalidDataException>(() =>
            FineTuning.RunAsync(new FinetuneRequest(index, null, settings, dir.File("ft"), Device.CPU), TextWriter.Null));
        Assert.Contains(index, e.Message);
        Assert.Contains("(split train): 6 samples are fewer than one optimiser step needs (batch 4 x accum_steps 2", e.Message);
    }

    [Fact]
    public async Task Finetune_writes_metrics_classifier_and_checkpoint_that_eval_reads()
    {
        string index = await DownstreamTestData.WriteAsync(dir.Path, DownstreamTestData.ColourVideos(train: 2, val: 1));
        var settings = new FinetuneSettings { Config = "tiny", Size = 32, Epochs = 2, WarmupEpochs = 1, BatchSize = 4, BaseLr = 1e-2 }.Validate("test");
        string outDir = dir.File("ft");
        FinetuneResult r = await FineTuning.RunAsync(new FinetuneRequest(index, null, settings, outDir, Device.CPU), TextWriter.Null);
        Assert.Equal(2, r.Steps);                                   // 6 clips in batches of 4: 1 full batch per epoch
        Assert.True(File.Exists(r.Classifier));
        Assert.True(File.Exists(r.Checkpoint));
        var records = MetricsLog.Read(Path.Combine(outDir, "metrics.jsonl"));
        Assert.Equal([1L, 2], records.Select(rec => rec["step"].GetInt64()));
        Assert.All(records, rec => Assert.True(double.IsFinite(rec["loss_total"].GetDouble())));
        Assert.Equal("val", r.EvalSplit);
        Assert.NotNull(r.EvalTop1);

        foreach (string weights in new[] { r.Classifier, r.Checkpoint })
        {
            string evalDir = dir.File("eval-" + Path.GetFileNameWithoutExtension(weights));
            Assert.Equal(0, Program.Main(["eval", "--manifest", index, "--weights", weights, "--clips", "1", "--crops", "1", "--out", evalDir, "--threads", "1"]));
            Assert.True(File.Exists(Path.Combine(evalDir, "eval.json")));
        }
    }
}
