using CrossVideoMAE.GpuCheck;
using CrossVideoMAE.Model;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public class GpuCheckFlopsTests
{
    // ViT-B at 16x224x224 written out from the paper's architecture, not from ModelConfig:
    // 8x14x14 = 1568 video tokens, 5% visible = 78; 14x14 = 196 frame tokens, 10% visible = 19;
    // D = 768, MLP 3072, 12 blocks; embeddings E = 384; decoder 384 wide, MLP 1536, 4 blocks;
    // 2x16x16x3 = 1536 values per video token, 16x16x3 = 768 per frame patch.
    private static double Block(double l, double d, double m) => 2 * l * (4 * d * d + 2 * d * m) + 4 * l * l * d;

    [Fact]
    public void Base_config_flops_match_the_architecture_written_out()
    {
        double view = 2.0 * 1568 * 1536 * 768                       // tubelet embedding, all tokens
                      + 12 * Block(78, 768, 3072)                   // f_u on the visible tokens
                      + 2.0 * 78 * 768 * 768 + 2.0 * 78 * 768 * 384 // g_u
                      + 2.0 * 78 * 384 * 384                        // decoder_embed
                      + 4 * Block(1568, 384, 1536)                  // decoder on every token
                      + 2.0 * 1568 * 384 * 384 + 2.0 * 1568 * 384 * 1536; // e_u
        double frame = 2.0 * 196 * 768 * 768 + 12 * Block(19, 768, 3072)
                       + 2.0 * 19 * 768 * 768 + 2.0 * 19 * 768 * 384;
        double want = 3 * (2 * view + 2 * frame);                    // two views, two sampled frames; backward = 2 x forward

        TrainingFlops.Breakdown got = TrainingFlops.PerClip(ModelConfigs.Base, sampledFrames: 2);

        Assert.Equal(want, got.Total, want * 1e-12);
        Assert.InRange(got.Total / 1e9, 300, 400);                  // the order of magnitude MFU figures rest on
    }

    [Fact]
    public void A_frozen_image_encoder_counts_its_forward_pass_only()
    {
        ModelConfig trained = ModelConfigs.Base, frozen = ModelConfigs.Base with { FreezeImageEncoder = true };
        double encoder = 2.0 * 196 * 768 * 768 + 12 * Block(19, 768, 3072);   // patch embedding + f_f per frame

        double saved = TrainingFlops.PerClip(trained, 1).Total - TrainingFlops.PerClip(frozen, 1).Total;

        Assert.Equal(2 * encoder, saved, encoder * 1e-12);
    }

    [Fact]
    public void No_sampled_frame_is_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingFlops.PerClip(ModelConfigs.Tiny, 0));
        Assert.Contains("sampled frames", e.Message);
    }
}
