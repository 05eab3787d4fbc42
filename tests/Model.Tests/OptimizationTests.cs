using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Model.Optimization;
using CrossVideoMAE.Torch.Optim;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

public class OptimizationTests
{
    private static ModelConfig Learned => TinySetup.Config() with
    {
        VideoEncoder = ModelConfigs.Tiny.VideoEncoder with { PosEmbed = PositionalEmbeddingKind.LearnedSeparable, ClassToken = true, Depth = 2 },
    };

    [Fact]
    public void No_weight_decay_for_biases_norms_positional_embeddings_and_tokens()
    {
        using var model = new CrossVideoMAE(Learned, seed: 1);
        var groups = ParameterGroups.WeightDecaySplit(model, lr: 1e-3, weightDecay: 0.05);
        Assert.Equal(["decay", "no_decay"], groups.Select(g => g.Name));
        Assert.Equal(0.05, groups[0].WeightDecay);
        Assert.Equal(0.0, groups[1].WeightDecay);
        var byName = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        string[] noDecay =
        [
            "video_encoder.pos_embed_spatial", "video_encoder.pos_embed_temporal", "video_encoder.cls_token",
            "decoder.mask_token", "decoder.decoder_pos_embed_spatial", "video_encoder.blocks.0.norm1.weight",
            "video_encoder.blocks.1.attn.qkv.bias", "g_u.fc2.bias", "video_encoder.patch_embed.proj.bias",
        ];
        string[] decay = ["video_encoder.blocks.0.attn.qkv.weight", "video_encoder.patch_embed.proj.weight", "e_u.fc2.weight", "decoder.decoder_embed.weight"];
        foreach (string n in noDecay) Assert.Contains(byName[n], groups[1].Parameters);
        foreach (string n in decay) Assert.Contains(byName[n], groups[0].Parameters);
        Assert.Equal(byName.Count, groups.Sum(g => g.Parameters.Count));
    }

    [Fact]
    public void Frozen_parameters_are_left_out()
    {
        using var model = new CrossVideoMAE(TinySetup.Config() with { FreezeImageEncoder = true }, seed: 1);
        var groups = ParameterGroups.WeightDecaySplit(model, 1e-3, 0.05);
        var imageParams = model.image_encoder.parameters().ToHashSet();
        Assert.DoesNotContain(groups.SelectMany(g => g.Parameters), imageParams.Contains);
    }

    [Fact]
    public void Layer_decay_scales_by_depth_from_the_head()
    {
        // depth 12: layer 0 (patch embed) gets 0.75^13, block i gets 0.75^(12-i), the head 1.
        Assert.Equal(0, LayerDecay.LayerId("encoder.patch_embed.proj.weight", 12));
        Assert.Equal(0, LayerDecay.LayerId("encoder.pos_embed_spatial", 12));
        Assert.Equal(0, LayerDecay.LayerId("encoder.cls_token", 12));
        Assert.Equal(1, LayerDecay.LayerId("encoder.blocks.0.attn.qkv.weight", 12));
        Assert.Equal(12, LayerDecay.LayerId("encoder.blocks.11.mlp.fc2.bias", 12));
        Assert.Equal(13, LayerDecay.LayerId("head.fc.weight", 12));
        Assert.Equal(Math.Pow(0.75, 13), LayerDecay.Scale(0, 12, 0.75), 15);
        Assert.Equal(0.75, LayerDecay.Scale(12, 12, 0.75), 15);
        Assert.Equal(1.0, LayerDecay.Scale(13, 12, 0.75), 15);

        using var classifier = new VideoClassifier(TinySetup.Config(), numClasses: 5);   // tiny: 4 blocks
        AdamW opt = OptimizerFactory.FineTuning(classifier, lr: 1e-3);
        ParamGroup head = opt.ParamGroups.Single(g => g.Name == "layer_5_decay");
        Assert.Contains(classifier.head.fc.weight, head.Parameters);
        Assert.Equal(1e-3, head.Lr, 15);
        ParamGroup embed = opt.ParamGroups.Single(g => g.Name == "layer_0_decay");
        Assert.Contains(classifier.encoder.patch_embed is Vit.TubeletEmbed3d t ? t.proj.weight : null, embed.Parameters);
        Assert.Equal(Math.Pow(0.75, 5), embed.LrScale, 15);
        Assert.Equal(0.0, opt.ParamGroups.Single(g => g.Name == "layer_2_no_decay").WeightDecay);
        Assert.Equal(0.999, opt.Beta2);
    }

    [Fact]
    public void Warmup_then_half_cycle_cosine_per_iteration()
    {
        var s = new WarmupCosineSchedule(BaseLr: 1.0, WarmupSteps: 10, TotalSteps: 110, MinLr: 0.1);
        Assert.Equal(0.0, s.LearningRate(0), 15);
        Assert.Equal(0.5, s.LearningRate(5), 15);
        Assert.Equal(1.0, s.LearningRate(10), 15);
        Assert.Equal(0.55, s.LearningRate(60), 12);                                       // halfway: (1 + 0.1) / 2
        Assert.Equal(0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * 0.25)), s.LearningRate(35), 12);
        Assert.Equal(0.1, s.LearningRate(110), 15);
        Assert.Equal(1.5e-4 * 2048 / 256, WarmupCosineSchedule.ScaledLr(1.5e-4, 2048), 15);

        using var classifier = new VideoClassifier(TinySetup.Config(), numClasses: 3);
        AdamW opt = OptimizerFactory.FineTuning(classifier, lr: 1.0);
        s.Apply(opt, 5);
        foreach (ParamGroup g in opt.ParamGroups) Assert.Equal(0.5 * g.LrScale, g.Lr, 15);
    }

    [Fact]
    public void Pretraining_optimiser_uses_betas_0_9_and_0_95()
    {
        using var model = new CrossVideoMAE(TinySetup.Config(), seed: 1);
        using AdamW opt = OptimizerFactory.Pretraining(model, lr: 1e-4);
        Assert.Equal(0.9, opt.Beta1);
        Assert.Equal(0.95, opt.Beta2);
        Assert.Equal(0.05, opt.ParamGroups[0].WeightDecay);
    }
}
