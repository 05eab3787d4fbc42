using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public class PretrainSettingsTests
{
    public static TheoryData<string> ConfigFiles()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(Path.Combine(RepoPaths.Root, "configs"), "pretrain-*.yaml").Order()) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ConfigFiles))]
    public void Every_config_in_the_repository_loads_and_validates(string name)
    {
        PretrainSettings s = PretrainSettings.Load(Path.Combine(RepoPaths.Root, "configs", name));
        var model = s.ToModelConfig();
        // Every config leaves at least one visible token in both encoders.
        long videoTokens = model.VideoGrid.T * model.VideoGrid.H * model.VideoGrid.W;
        long imageTokens = model.ImageGrid.H * model.ImageGrid.W;
        Assert.True((long)(videoTokens * (1 - s.Masking.VideoRatio)) >= 1, $"{name}: no visible video token");
        Assert.True((long)(imageTokens * (1 - s.Masking.ImageRatio)) >= 1, $"{name}: no visible image token");
    }

    [Fact]
    public void The_paper_recipes_match_the_tables()
    {
        PretrainSettings k400 = PretrainSettings.Load(Path.Combine(RepoPaths.Root, "configs", "pretrain-vitb-k400.yaml"));
        Assert.Equal(256, k400.Optim.BatchSize * k400.Optim.AccumSteps);
        Assert.Equal(1.5e-4, k400.Optim.BaseLr);
        Assert.Equal(40, k400.Optim.WarmupEpochs);
        Assert.Equal(800, k400.Optim.Epochs);
        Assert.Equal(0.95, k400.Masking.VideoRatio);
        Assert.Equal(0.90, k400.Masking.ImageRatio);
        Assert.Equal(0.5, k400.ToAugmentConfig().EffectiveFlipProbability);
        PretrainSettings ssv2 = PretrainSettings.Load(Path.Combine(RepoPaths.Root, "configs", "pretrain-vitb-ssv2.yaml"));
        Assert.Equal(0.0, ssv2.ToAugmentConfig().EffectiveFlipProbability);
    }

    [Theory]
    [InlineData("optim:\n  batch_sise: 4\n", "bad.yaml:2")]                       // unknown key, with its line
    [InlineData("optim:\n  batch_size: four\n", "bad.yaml:2")]                      // wrong type
    [InlineData("optim: [1, 2\n", "bad.yaml")]                                       // malformed YAML
    [InlineData("optim:\n  batch_size: 0\n", "optim.batch_size must be at least 1")] // a value out of range names the key
    [InlineData("run:\n  device: tpu\n", "run.device 'tpu'")]
    [InlineData("model:\n  frame_size: 64\n", "model.frame_size")]
    [InlineData("masking:\n  video_kind: diagonal\n", "masking.video_kind")]
    [InlineData("loss:\n  intra: true\n  temprature: 0.2\n", "bad.yaml:3")]                // the loss section is LossConfig: still strict
    [InlineData("loss:\n  any_contrastive: true\n", "bad.yaml:2")]                 // LossConfig's derived values are not keys
    [InlineData("loss:\n  temperature: 0\n", "temperature must be positive")]
    public void A_bad_config_is_an_error_naming_the_file_and_the_problem(string yaml, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.yaml");
        File.WriteAllText(path, yaml);
        var e = Assert.Throws<InvalidDataException>(() => PretrainSettings.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }
}
