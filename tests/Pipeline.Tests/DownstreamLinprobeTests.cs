using System.Text.Json;
using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model.Checkpoints.Training;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using Xunit;
using CvMae = CrossVideoMAE.Model.CrossVideoMAE;

namespace CrossVideoMAE.Pipeline.Tests;

public sealed class DownstreamLinprobeTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-linprobe");

    public void Dispose() => dir.Dispose();

    private static CvMae TinyModel() =>
        new(ModelConfigs.Tiny.WithInput(4, 32) with { VideoMaskRatio = 0.5, ImageMaskRatio = 0.5 }, seed: 7);

    [Fact]
    public async Task Probe_on_colour_classes_separates_the_held_out_videos()
    {
        string index = await DownstreamTestData.WriteAsync(dir.Path, DownstreamTestData.ColourVideos(train: 3, val: 2));
        var request = new LinearProbeRequest(index, Weights: null, RandomInit: true, ConfigName: "tiny", Size: 32, "train", null,
            BatchSize: 8, Device.CPU, new LinearProbeOptions(Epochs: 40, WarmupEpochs: 4, Lr: 0.1, BatchSize: 4), Seed: 1);
        LinearProbeReport report = await LinearProbeRun.RunAsync(request, TextWriter.Null);
        Assert.Equal("val", report.EvalSplit);
        Assert.Equal(9, report.TrainClips);
        Assert.Equal(6, report.EvalVideos);
        Assert.Equal(1.0, report.TrainTop1);
        Assert.Equal(1.0, report.Top1);
        Assert.True(report.FinalTrainLoss < 0.5, $"final loss {report.FinalTrainLoss}");
        Assert.Equal(6, report.Confusion.SelectMany(r => r).Sum());
    }

    [Fact]
    public async Task A_truncated_held_out_shard_stops_the_probe_before_any_feature_is_computed()
    {
        string index = await DownstreamTestData.WriteAsync(dir.Path, DownstreamTestData.ColourVideos(train: 2, val: 1));
        var shards = (await CrossVideoMAE.Stages.Shards.ShardIndexFile.LoadAsync(index)).Shards;
        string valShard = Path.Combine(Path.GetDirectoryName(index)!, shards.Last(x => x.Split == "val").File);
        using (var f = new FileStream(valShard, FileMode.Open)) f.SetLength(f.Length - 100);
        var request = new LinearProbeRequest(index, Weights: null, RandomInit: true, ConfigName: "tiny", Size: 32, "train", null,
            BatchSize: 8, Device.CPU, new LinearProbeOptions(Epochs: 2, WarmupEpochs: 1), Seed: 1);
        var log = new StringWriter();
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => LinearProbeRun.RunAsync(request, log));
        Assert.Contains(valShard, e.Message);
        Assert.Contains("bytes but the index lists", e.Message);
        Assert.Equal("", log.ToString());   // nothing was extracted or trained
    }

    [Fact]
    public void Standardizer_uses_the_train_features_mean_and_biased_variance()
    {
        // Column 0: 1, 3 -> mean 2, variance 1. Column 1: 10, 10 -> mean 10, variance 0 (eps keeps it finite).
        using Tensor train = torch.tensor(new float[] { 1, 10, 3, 10 }, [2, 2]);
        using Tensor held = torch.tensor(new float[] { 4, 11 }, [1, 2]);
        using FeatureStandardizer s = FeatureStandardizer.Fit(train);
        using Tensor a = s.Apply(train);
        using Tensor b = s.Apply(held);
        float inv = (float)(1 / Math.Sqrt(1 + FeatureStandardizer.Eps));
        Assert.Equal(new[] { -inv, 0f, inv, 0f }, a.ToArray<float>());
        float[] h = b.ToArray<float>();
        Assert.Equal(2 * inv, h[0], 5);
        Assert.Equal((float)(1 / Math.Sqrt(FeatureStandardizer.Eps)), h[1], 1);
        using Tensor flat = torch.tensor(new float[] { 1, 2 }, [2]);
        Assert.Throws<ArgumentException>(() => FeatureStandardizer.Fit(flat));
    }

    [Fact]
    public void Weights_load_from_a_full_state_an_mae_export_and_a_training_checkpoint_alike()
    {
        using CvMae model = TinyModel();
        Dictionary<string, Tensor> state = model.state_dict();
        string full = dir.File("full.safetensors"), mae = dir.File("encoder.safetensors");
        SafeTensors.Save(full, state);
        MaeExport.SaveVideoEncoder(mae, state);
        string ckpt = TrainingCheckpoint.Save(dir.File("ckpt"), new TrainingProgress { Step = 3 }, state);

        var expected = model.video_encoder.state_dict();
        foreach (string path in new[] { full, mae, ckpt })
        {
            using ModelWeights w = ModelWeights.Load(path);
            using KeyMapResult mapped = w.VideoEncoder();
            Dictionary<string, Tensor> enc = mapped.Tensors;
            Assert.Equal(expected.Keys.Order(), enc.Keys.Order());
            foreach (var (k, t) in expected)
            {
                using Tensor same = t.eq(enc[k]).all();
                Assert.True(same.item() != 0, $"{path}: {k} differs");
            }
            Assert.Equal("tiny", w.InferConfig().Name);
            Assert.Equal(32, DownstreamSetup.InputSize(null, w, ModelConfigs.Tiny, 4));
        }
        File.WriteAllBytes(dir.File("junk.safetensors"), [1, 2, 3]);
        Assert.Contains(dir.File("junk.safetensors"), Assert.Throws<InvalidDataException>(() => ModelWeights.Load(dir.File("junk.safetensors"))).Message);
        SafeTensors.Save(dir.File("other.safetensors"), new Dictionary<string, Tensor> { ["fc.weight"] = state["g_u.fc1.weight"] });
        using (ModelWeights other = ModelWeights.Load(dir.File("other.safetensors")))
            Assert.StartsWith(other.Path + ": cannot tell the checkpoint's layout", Assert.Throws<InvalidDataException>(() => other.VideoEncoder()).Message);
    }

    [Fact]
    public async Task Linprobe_command_with_pretrained_weights_writes_its_report()
    {
        string index = await DownstreamTestData.WriteAsync(dir.Path, DownstreamTestData.ColourVideos(train: 2, val: 1));
        string weights = dir.File("pretrained.safetensors");
        using (CvMae model = TinyModel()) SafeTensors.Save(weights, model.state_dict());
        string outDir = dir.File("probe");
        int rc = Program.Main(["linprobe", "--manifest", index, "--weights", weights, "--out", outDir, "--epochs", "5", "--warmup-epochs", "1", "--threads", "1"]);
        Assert.Equal(0, rc);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "linprobe.json")));
        JsonElement root = doc.RootElement;
        Assert.False(root.GetProperty("RandomInit").GetBoolean());
        Assert.Equal("tiny", root.GetProperty("Config").GetString());
        Assert.Equal(32, root.GetProperty("Size").GetInt32());
        Assert.Equal(3, root.GetProperty("EvalVideos").GetInt32());
        Assert.InRange(root.GetProperty("Top1").GetDouble(), 0, 1);

        Assert.Equal(2, Program.Main(["linprobe", "--manifest", index, "--out", outDir]));   // neither weights nor --random-init
        Assert.Equal(2, Program.Main(["linprobe", "--manifest", dir.File("missing.json"), "--random-init", "--out", outDir]));
    }
}
