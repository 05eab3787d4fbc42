using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

public class ConfigTests
{
    // Parameters of a ViT with fused qkv biases, pre-norm blocks and a final norm, counted by hand:
    // per block 3D^2+3D (qkv) + D^2+D (proj) + D*M+M (fc1) + M*D+D (fc2) + 4D (two norms).
    private static long EncoderParameters(long d, long m, int depth, long patchInputs) =>
        depth * (4 * d * d + 4 * d + 2 * d * m + m + d + 4 * d) + (patchInputs * d + d) + 2 * d;

    [Fact]
    public void Named_configs_resolve()
    {
        Assert.Same(ModelConfigs.Base, ModelConfigs.Get("base"));
        Assert.Same(ModelConfigs.Small, ModelConfigs.Get("SMALL"));
        Assert.Same(ModelConfigs.Tiny, ModelConfigs.Get("cvmae_vit_tiny_patch16"));
        var e = Assert.Throws<ArgumentException>(() => ModelConfigs.Get("huge"));
        Assert.Contains("tiny, small, base", e.Message);
        Assert.Equal(3072, ModelConfigs.Base.VideoEncoder.MlpHiddenDim);
        Assert.Equal(1536, ModelConfigs.Base.Decoder.MlpHiddenDim);
        Assert.Equal(1536, ModelConfigs.Base.PixelsPerToken);
        Assert.Equal(384, ModelConfigs.Small.EmbeddingDim);
        Assert.Throws<ArgumentException>(() => ModelConfigs.Tiny.WithInput(5, 32).Validate());
        Assert.Throws<ArgumentException>(() => ModelConfigs.Tiny.WithInput(4, 40).Validate());
    }

    [Fact]
    public void ViT_B_has_1568_video_and_196_image_tokens_and_86M_parameters_per_encoder()
    {
        ModelConfig c = ModelConfigs.Base;
        Assert.Equal(1568, c.VideoGrid.Length);
        Assert.Equal(196, c.ImageGrid.Length);

        using var model = CrossVideoMAE.cvmae_vit_base_patch16_dec384d4b(seed: 0);
        long video = EncoderParameters(768, 3072, 12, 3 * 2 * 16 * 16);
        long image = EncoderParameters(768, 3072, 12, 3 * 16 * 16);
        Assert.Equal(86_236_416, video);
        Assert.Equal(85_646_592, image);
        Assert.Equal(video, model.video_encoder.parameter_count());
        Assert.Equal(image, model.image_encoder.parameter_count());
        // g_u, g_f: 768 -> 768 -> 384; e_u: 384 -> 384 -> 1536.
        Assert.Equal(768 * 768 + 768 + 768 * 384 + 384, model.g_u.parameter_count());
        Assert.Equal(384 * 384 + 384 + 384 * 1536 + 1536, model.e_u.parameter_count());
        // Decoder: embed 384 -> 384, mask token, 4 blocks of width 384 (MLP 1536), norm.
        Assert.Equal(384 * 384 + 384 + 384 + EncoderParameters(384, 1536, 4, 0) - 384, model.decoder.parameter_count());
        Assert.Equal(new long[] { 1, 1568, 768 }, model.state_dict()["video_encoder.pos_embed"].shape);
        Assert.Equal(78, model.VideoMasking.KeptTokens);
        Assert.Equal(19, model.ImageMasking.KeptTokens);

        // One forward of a single full-size sample: shapes of every output.
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(1);
        var batch = new CrossVideoMaeBatch(torch.randn([1, 3, 16, 224, 224], g), torch.randn([1, 3, 16, 224, 224], g),
            torch.randn([1, 1, 3, 224, 224], g), torch.tensor(new long[] { 9 }, 1, 1));
        CrossVideoMaeOutput o;
        using (torch.no_grad()) o = model.forward(batch, g);
        Assert.Equal(new long[] { 1, 78, 384 }, o.View1.Embeddings.shape);
        Assert.Equal(new long[] { 1, 1568, 1536 }, o.View2.Prediction!.shape);
        Assert.Equal(new long[] { 1, 384 }, o.ZFrame.shape);
        Assert.Equal(new long[] { 1, 384 }, o.Image!.HVideo.shape);
    }
}
