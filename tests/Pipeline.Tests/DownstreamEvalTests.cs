using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public sealed class DownstreamEvalTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-eval");

    public void Dispose() => dir.Dispose();

    /// <summary>
    /// A tiny classifier whose prediction is the brightest normalised colour channel, by construction:
    /// no positional table, every block an identity (attention and MLP outputs zeroed), the patch
    /// embedding puts the mean of channel c into feature c (others 0); LayerNorm keeps the order of
    /// features 0..2 (a positive scale and a shift), and fc reads feature k as the logit of class k.
    /// </summary>
    internal static VideoClassifier ChannelArgmaxClassifier()
    {
        ModelConfig config = ModelConfigs.Tiny.WithInput(4, 32) with { VideoMaskRatio = 0, ImageMaskRatio = 0 };
        var model = new VideoClassifier(config, numClasses: 3, dropPath: 0, headDropout: 0);
        using var noGrad = torch.no_grad();
        foreach (var (name, t) in model.state_dict())
        {
            if (name == "encoder.pos_embed" || name.EndsWith(".attn.proj.weight") || name.EndsWith(".attn.proj.bias")
                || name.EndsWith(".mlp.fc2.weight") || name.EndsWith(".mlp.fc2.bias") || name.StartsWith("encoder.patch_embed.")
                || name.StartsWith("head.fc."))
                t.zero_();
        }
        Tensor w = model.encoder.state_dict()["patch_embed.proj.weight"];       // [D, 3, 2, 16, 16]
        Tensor fc = model.head.fc.weight;                                        // [3, D]
        for (int c = 0; c < 3; c++)
        {
            using Tensor plane = w.select(0, c).select(0, c);
            plane.fill_(1.0 / (2 * 16 * 16));
            using Tensor cell = fc.select(0, c).select(0, c);
            cell.fill_(1.0);
        }
        model.eval();
        return model;
    }

    [Fact]
    public async Task Multi_view_eval_gives_the_confusion_matrix_known_by_construction()
    {
        // val videos: 2 red (class 0), 1 green (class 1) and 1 "green" video whose frames are blue
        // (predicted 2), 1 blue (class 2). Each has 2 clips; 3 crops of a 48x32 frame.
        var videos = new List<SyntheticVideo>
        {
            new("r0", 0, "val", 2, (230, 20, 20)), new("r1", 0, "val", 2, (250, 40, 0)),
            new("g0", 1, "val", 2, (0, 240, 10)), new("g1", 1, "val", 2, (0, 10, 240)),
            new("b0", 2, "val", 2, (20, 0, 220)), new("t0", 0, "train", 1, (255, 0, 0)),
        };
        string index = await DownstreamTestData.WriteAsync(dir.Path, videos, width: 48, height: 32);
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(index);
        using VideoClassifier model = ChannelArgmaxClassifier();
        VideoScores scores = await MultiViewEvaluation.ScoreAsync(model, loader, "val", clips: 2, spatialCrops: 3, size: 32, batchSize: 3, Device.CPU);
        Assert.Equal(5, scores.Videos);
        Assert.Equal(5 * 2 * 3, scores.Views);
        ClassificationMetrics m = scores.Metrics();
        Assert.Equal(4.0 / 5, m.Top1, 12);
        Assert.Equal(1.0, m.Top5);                      // 3 classes: every true class is in the top 3
        int[][] expected = [[2, 0, 0], [0, 1, 1], [0, 0, 1]];
        Assert.Equal(expected, m.Confusion);
        Assert.Equal(new double?[] { 1, 0.5, 1 }, m.PerClassAccuracy);
    }

    [Fact]
    public async Task Eval_command_loads_saved_classifier_weights_and_writes_eval_json()
    {
        var videos = new List<SyntheticVideo>
        {
            new("r0", 0, "val", 1, (230, 20, 20)), new("g0", 1, "val", 1, (0, 240, 10)),
            new("g1", 1, "val", 1, (250, 10, 10)), new("b0", 2, "val", 1, (20, 0, 220)),
        };
        string index = await DownstreamTestData.WriteAsync(dir.Path, videos);
        string weights = dir.File("classifier.safetensors");
        using (VideoClassifier model = ChannelArgmaxClassifier())
            SafeTensors.Save(weights, model.state_dict());
        string outDir = dir.File("eval");
        int rc = Program.Main(["eval", "--manifest", index, "--weights", weights, "--clips", "1", "--crops", "1", "--out", outDir, "--threads", "1"]);
        Assert.Equal(0, rc);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "eval.json")));
        Assert.Equal(0.75, doc.RootElement.GetProperty("top1").GetDouble(), 12);
        Assert.Equal(32, doc.RootElement.GetProperty("size").GetInt32());
        var confusion = doc.RootElement.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        Assert.Equal(new[] { new[] { 1, 0, 0 }, new[] { 1, 1, 0 }, new[] { 0, 0, 1 } }, confusion);
    }
}
