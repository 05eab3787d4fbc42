using CrossVideoMAE.Model.Checkpoints.Training;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;
using Xunit;
using static CrossVideoMAE.Model.Tests.CheckpointTestSupport;

namespace CrossVideoMAE.Model.Tests;

/// <summary>Our training checkpoints restore the exact training state and are found again for --resume.</summary>
public class CheckpointTrainingTests
{
    private sealed class TinyNet : Module
    {
        private readonly Linear fc1, fc2;
        private readonly LayerNorm norm;

        public TinyNet(ulong seed, long hidden = 8)
        {
            using var g = new Generator(seed);
            fc1 = register_module("fc1", new Linear(4, hidden, generator: g));
            norm = register_module("norm", new LayerNorm(hidden));
            fc2 = register_module("fc2", new Linear(hidden, 3, generator: g));
            register_buffer("seen", torch.zeros(1));
        }

        public Tensor forward(Tensor x) => fc2.forward(norm.forward(fc1.forward(x)).relu());
    }

    // One AdamW step on a batch drawn from the data generator.
    private static void Step(TinyNet net, AdamW opt, Generator data)
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn([5, 4], data), target = torch.randn([5, 3], data);
        opt.zero_grad();
        torch.nn.functional.mse_loss(net.forward(x), target).backward();
        opt.step();
    }

    private static Dictionary<string, Tensor> Snapshot(Module m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());

    private static readonly TrainingProgress Progress = new()
    {
        Step = 3, Epoch = 1, SampleInEpoch = 40, SchedulePosition = 3,
        ConfigJson = """{"model":{"depth":2},"lr":0.001}""",
        Extra = new Dictionary<string, string> { ["best_top1"] = "0.5" },
    };

    [Fact]
    public void A_restored_checkpoint_continues_training_exactly_like_the_original()
    {
        using var dir = new TempDir();
        using var a = new TinyNet(seed: 1);
        using var optA = new AdamW(a.parameters(), lr: 0.01, weightDecay: 0.05);
        using var dataA = new Generator(7);
        for (int i = 0; i < 3; i++) Step(a, optA, dataA);

        string path = TrainingCheckpoint.Save(dir.Path, Progress, a.state_dict(), optA, new Dictionary<string, Generator> { ["data"] = dataA });
        Assert.Equal(dir.File("ckpt-00000003.safetensors"), path);
        Assert.Equal([path], Directory.GetFiles(dir.Path)); // no temporary file left behind
        Dictionary<string, Tensor> atSave = Snapshot(a);

        for (int i = 0; i < 2; i++) Step(a, optA, dataA);
        Dictionary<string, Tensor> continued = Snapshot(a);

        using var b = new TinyNet(seed: 99);
        using var optB = new AdamW(b.parameters(), lr: 0.01, weightDecay: 0.05);
        using var dataB = new Generator(12345);
        try
        {
            using (TrainingCheckpointData ckpt = TrainingCheckpoint.Load(path))
            {
                Assert.Equal(Progress with { CreatedUtc = ckpt.Progress.CreatedUtc, Extra = ckpt.Progress.Extra }, ckpt.Progress);
                Assert.Equal("0.5", ckpt.Progress.Extra["best_top1"]);
                Assert.True((DateTimeOffset.UtcNow - ckpt.Progress.CreatedUtc).Duration() < TimeSpan.FromHours(1));
                ckpt.RestoreModel(b);
                ckpt.RestoreOptimizer(optB);
                ckpt.RestoreGenerator("data", dataB);
            }
            foreach (var (k, t) in b.state_dict()) AssertIdentical(atSave[k], t, $"restored {k}");

            for (int i = 0; i < 2; i++) Step(b, optB, dataB);
            foreach (var (k, t) in b.state_dict()) AssertIdentical(continued[k], t, $"continued {k}");
            Assert.Equal(optA.StepCount, optB.StepCount);
        }
        finally { DisposeAll(atSave.Values.Concat(continued.Values)); }
    }

    [Fact]
    public void Restoring_into_a_different_model_or_optimiser_names_every_difference()
    {
        using var dir = new TempDir();
        using var a = new TinyNet(seed: 1);
        using var optA = new AdamW(a.parameters());
        string path = TrainingCheckpoint.Save(dir.Path, Progress, a.state_dict(), optA, new Dictionary<string, Generator>());

        using TrainingCheckpointData ckpt = TrainingCheckpoint.Load(path);
        using var wider = new TinyNet(seed: 1, hidden: 6);
        var e = Assert.Throws<InvalidDataException>(() => ckpt.RestoreModel(wider));
        Assert.Contains(path, e.Message);
        Assert.Contains("'fc1.weight' is Float32[8, 4] in the checkpoint but Float32[6, 4] here", e.Message);
        Assert.Contains("'norm.bias' is Float32[8] in the checkpoint but Float32[6] here", e.Message);

        var partial = a.state_dict().Where(kv => kv.Key != "seen").ToDictionary();
        partial["extra.weight"] = a.state_dict()["fc2.bias"];
        e = Assert.Throws<InvalidDataException>(() => ckpt.RestoreModel(partial));
        Assert.Contains("missing [extra.weight]", e.Message);
        Assert.Contains("unexpected [seen]", e.Message);

        using var optWider = new AdamW(wider.parameters());
        e = Assert.Throws<InvalidDataException>(() => ckpt.RestoreOptimizer(optWider));
        Assert.Contains("the optimiser state does not match", e.Message);

        using var g = new Generator(1);
        e = Assert.Throws<InvalidDataException>(() => ckpt.RestoreGenerator("augment", g));
        Assert.Contains("no generator state 'rng.augment'", e.Message);
    }

    [Fact]
    public void Discovery_takes_the_newest_complete_checkpoint_and_ignores_temporary_files()
    {
        using var dir = new TempDir();
        using var net = new TinyNet(seed: 2);
        foreach (long step in new long[] { 100, 200 })
            TrainingCheckpoint.Save(dir.Path, Progress with { Step = step }, net.state_dict());

        // Leftovers of interrupted writes and copies: a temporary file, a truncated copy, a foreign file.
        File.WriteAllBytes(dir.File("ckpt-00000300.safetensors.tmp-4242"), new byte[100]);
        byte[] good = File.ReadAllBytes(dir.File("ckpt-00000200.safetensors"));
        File.WriteAllBytes(dir.File("ckpt-00000400.safetensors"), good[..(good.Length - 10)]);
        using (Tensor t = torch.ones(2)) SafeTensors.Save(dir.File("ckpt-00000500.safetensors"), [new("w", t)]);
        File.Copy(dir.File("ckpt-00000100.safetensors"), dir.File("ckpt-00000600.safetensors"));

        CheckpointDiscovery found = CheckpointDirectory.FindLatest(dir.Path);
        Assert.Equal(new CheckpointFile(200, dir.File("ckpt-00000200.safetensors")), found.Latest);
        Assert.Equal(3, found.Rejected.Count);
        Assert.Contains("metadata step 100 differs from the file name's 600", found.Rejected[0]);
        Assert.Contains("not a CrossVideoMAE training checkpoint", found.Rejected[1]);
        Assert.Contains("(incomplete)", found.Rejected[2]);
        Assert.DoesNotContain(found.Rejected, r => r.Contains(".tmp-"));

        Assert.Equal([dir.File("ckpt-00000100.safetensors")], CheckpointDirectory.Prune(dir.Path, keep: 1));
        Assert.True(File.Exists(dir.File("ckpt-00000200.safetensors")));
        Assert.True(File.Exists(dir.File("ckpt-00000400.safetensors")), "incomplete files are kept for inspection");

        using var empty = new TempDir();
        Assert.Null(CheckpointDirectory.FindLatest(empty.Path).Latest);
        Assert.Null(CheckpointDirectory.FindLatest(empty.File("missing")).Latest);
    }

    [Fact]
    public void Files_that_are_not_our_checkpoints_and_bad_input_are_refused_clearly()
    {
        using var dir = new TempDir();
        using (Tensor t = torch.ones(2)) SafeTensors.Save(dir.File("plain.safetensors"), [new("w", t)], new Dictionary<string, string> { ["format"] = "pt" });
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(dir.File("plain.safetensors")));
        Assert.Contains(dir.File("plain.safetensors"), e.Message);
        Assert.Contains("metadata format is 'pt'", e.Message);

        using var net = new TinyNet(seed: 3);
        var a = Assert.Throws<ArgumentException>(() => TrainingCheckpoint.Save(dir.Path, Progress with { ConfigJson = "{not json" }, net.state_dict()));
        Assert.Contains("ConfigJson is not valid JSON", a.Message);
        Assert.Empty(CheckpointDirectory.List(dir.Path));
    }
}
