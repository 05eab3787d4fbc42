using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Model.Vit;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Model.Tests.CheckpointTestSupport;

namespace CrossVideoMAE.Model.Tests;

/// <summary>
/// <see cref="WeightsLoader"/> is the one path for pre-training's <c>--init-video</c> (into
/// <c>CrossVideoMAE.video_encoder</c>) and the downstream <c>--weights</c> (into
/// <c>VideoClassifier.encoder</c>): both take a foreign PyTorch <c>.pth</c>, give the same tensors,
/// and reproduce PyTorch's encoder output (Fixtures/vit_reference.py).
/// </summary>
[Collection(ForeignCheckpointCollection.Name)]
public class CheckpointWeightsLoaderTests(ForeignCheckpointFixtures fx)
{
    // The fixtures' VideoMAE encoder (width 48, 2 blocks, 4 heads, 4 frames of 32 x 32, patch 8, tubelet 2).
    private static ModelConfig FixtureConfig => ModelConfigs.Tiny with
    {
        Name = "fixture",
        VideoEncoder = new EncoderConfig(EmbedDim: 48, Depth: 2, NumHeads: 4),
        ImageEncoder = new EncoderConfig(EmbedDim: 48, Depth: 2, NumHeads: 4),
        NumFrames = 4, VideoSize = 32, FrameSize = 32, PatchSize = 8, TubeletSize = 2,
        VideoMaskRatio = 0.5, ImageMaskRatio = 0.5,
    };

    [Fact]
    public void Pretrain_and_downstream_load_a_foreign_pth_into_identical_tensors()
    {
        string path = fx.Dir.File("videomae.pth");
        using ModelWeights weights = ModelWeights.Load(path);
        using var pretrain = new CrossVideoMAE(FixtureConfig, 1);
        using var classifier = new VideoClassifier(FixtureConfig with { VideoMaskRatio = 0, ImageMaskRatio = 0 }, 3, 0, 0, 0.01, 2);

        string account = WeightsLoader.LoadEncoder(pretrain.video_encoder, weights, WeightsLoader.VideoPrefixes);
        WeightsLoader.LoadEncoder(classifier.encoder, weights, WeightsLoader.VideoPrefixes);
        Assert.Contains(path, account);
        Assert.Contains("VideoMae", account);

        // The classifier's encoder has no final norm; every tensor it has is the pre-training encoder's, bit for bit.
        Dictionary<string, Tensor> a = pretrain.video_encoder.state_dict(), b = classifier.encoder.state_dict();
        Assert.Equal(a.Keys.Where(k => !k.StartsWith("norm.", StringComparison.Ordinal)).Order(), b.Keys.Order());
        foreach (var (k, t) in b) AssertIdentical(a[k], t, k);

        // And the loaded encoder computes what PyTorch computed with the original VideoMAE modules.
        pretrain.video_encoder.eval();
        Dictionary<string, Tensor> io = Expected(fx.Dir, "videomae.io.safetensors");
        try
        {
            using var scope = torch.NewDisposeScope();
            using (torch.no_grad())
                AssertClose(io["output"], pretrain.video_encoder.forward(io["input"]), 1e-4, "videomae");
        }
        finally { DisposeAll(io.Values); }
    }

    [Fact]
    public void Positional_tables_are_resampled_to_the_encoders_grid_as_pytorch_interpolates()
    {
        // mae_st's separable tables (4 x 4 frames, 4 time steps) into an encoder of grid 6 x 2 x 3.
        using ModelWeights weights = ModelWeights.Load(fx.Dir.File("mae_st.pth"));
        var config = new EncoderConfig(EmbedDim: 48, Depth: 2, NumHeads: 4, PosEmbed: PositionalEmbeddingKind.LearnedSeparable);
        using VisionTransformer encoder = VisionTransformer.Video(config, new TokenGrid(6, 2, 3), 3, 2, 8);
        WeightsLoader.LoadEncoder(encoder, weights, WeightsLoader.VideoPrefixes);

        Dictionary<string, Tensor> expected = Expected(fx.Dir, "resampled.safetensors");
        try
        {
            Dictionary<string, Tensor> live = encoder.state_dict();
            AssertClose(expected["mae_st_spatial_2x3"], live["pos_embed_spatial"], 1e-5, "pos_embed_spatial");
            AssertClose(expected["mae_st_temporal_6"], live["pos_embed_temporal"], 1e-5, "pos_embed_temporal");
        }
        finally { DisposeAll(expected.Values); }
    }

    [Fact]
    public void Bad_weights_are_refused_naming_the_file_and_the_reason()
    {
        using var encoder = new VideoClassifier(FixtureConfig with { VideoMaskRatio = 0, ImageMaskRatio = 0 }, 3, 0, 0, 0.01, 2);

        string junk = fx.Dir.File("junk-weights.pth");
        File.WriteAllBytes(junk, [0x50, 0x4b, 1, 2, 3]);
        Assert.Contains(junk, Assert.Throws<InvalidDataException>(() => ModelWeights.Load(junk)).Message);

        string image = fx.Dir.File("mae.pth");
        using (ModelWeights weights = ModelWeights.Load(image))
        {
            string message = Assert.Throws<InvalidDataException>(() => WeightsLoader.LoadEncoder(encoder.encoder, weights, WeightsLoader.VideoPrefixes)).Message;
            Assert.StartsWith(image + ": ", message);
            Assert.Contains("'patch_embed.proj.weight' is [48, 3, 8, 8] in the file but [48, 3, 2, 8, 8] in the model", message);
        }

        // The right layout at another width: the mismatching tensors are named with both shapes.
        using var wide = new VideoClassifier(FixtureConfig with
        {
            VideoEncoder = new EncoderConfig(EmbedDim: 64, Depth: 2, NumHeads: 4), VideoMaskRatio = 0, ImageMaskRatio = 0,
        }, 3, 0, 0, 0.01, 2);
        using (ModelWeights weights = ModelWeights.Load(fx.Dir.File("videomae.pth")))
        {
            string message = Assert.Throws<InvalidDataException>(() => WeightsLoader.LoadEncoder(wide.encoder, weights, WeightsLoader.VideoPrefixes)).Message;
            Assert.StartsWith(weights.Path + ": ", message);
            Assert.Contains("'blocks.0.norm1.weight' is [48] in the file but [64] in the model", message);
        }
    }
}
