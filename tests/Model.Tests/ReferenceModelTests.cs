using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Model.Vit;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

/// <summary>Forward passes against cvmae_reference.py, a PyTorch reimplementation fed the same weights (via safetensors).</summary>
public class ReferenceModelTests
{
    /// <summary>Gives every parameter random values so zero biases and unit norms cannot hide a mistake.</summary>
    private static void Randomise(Module m, ulong seed)
    {
        using var g = new Generator(seed);
        using var noGrad = torch.no_grad();
        foreach (Parameter p in m.parameters()) p.normal_(0, 0.2, g);
    }

    private static Dictionary<string, Tensor> Prefixed(Module m, string prefix) =>
        m.state_dict().ToDictionary(kv => prefix + kv.Key, kv => kv.Value);

    [Fact]
    public void Block_matches_pytorch_in_every_qkv_layout()
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDir();
        var tensors = new Dictionary<string, Tensor>();
        using var g = new Generator(3);
        Tensor x = torch.randn([2, 5, 32], g);
        tensors["x"] = x;
        var blocks = new List<Block>();
        foreach (var (layout, i) in new[] { (QkvLayout.Fused, 0), (QkvLayout.Split, 1), (QkvLayout.FusedWithQvBias, 2) })
        {
            var block = new Block(32, numHeads: 4, mlpHidden: 64, layout: layout);
            blocks.Add(block);
            Randomise(block, (ulong)(10 + i));
            foreach (var kv in Prefixed(block, $"b{i}.")) tensors[kv.Key] = kv.Value;
            using (torch.no_grad()) tensors[$"y{i}"] = block.forward(x);
        }
        Reference.Save(dir.File("in.safetensors"), tensors);
        var result = Reference.RunJson(dir, """
            import json, st, torch
            import cvmae_reference as R
            t = st.load("in.safetensors")
            out = {}
            for i, layout in enumerate(["fused", "split", "qvbias"]):
                y = R.block(t["x"], t, f"b{i}", 4, layout)
                out[layout] = (y - t[f"y{i}"]).abs().max().item()
            print(json.dumps(out))
            """);
        Assert.InRange(result["fused"], 0, 1e-5);
        Assert.InRange(result["split"], 0, 1e-5);
        Assert.InRange(result["qvbias"], 0, 1e-5);
        Assert.Contains("b2.attn.q_bias", tensors.Keys);
        Assert.DoesNotContain("b2.attn.qkv.bias", tensors.Keys);
        foreach (Block b in blocks) b.Dispose();
    }

    [Theory]
    [InlineData(PositionalEmbeddingKind.SinCos)]
    [InlineData(PositionalEmbeddingKind.LearnedSeparable)]
    public void Model_forward_matches_pytorch(PositionalEmbeddingKind pos)
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDir();
        // 4 frames of 48x48: a 2x3x3 grid of 18 tokens; image frames 48x48: 3x3 with a class token.
        ModelConfig c = TinySetup.Config() with
        {
            VideoSize = 48, FrameSize = 48,
            VideoEncoder = ModelConfigs.Tiny.VideoEncoder with { PosEmbed = pos, Depth = 2 },
            ImageEncoder = ModelConfigs.Tiny.ImageEncoder with { Depth = 2, ClassToken = true },
            VideoMaskRatio = 0.5, ImageMaskRatio = 0.5,
        };
        using var model = new CrossVideoMAE(c, seed: 4);
        Randomise(model, 5);
        CrossVideoMaeBatch batch = TinySetup.Batch(c, 3, 2, seed: 6);
        CrossVideoMaeOutput o;
        using (torch.no_grad()) o = model.forward(batch, new Generator(9));

        var tensors = new Dictionary<string, Tensor>(model.state_dict())
        {
            ["in.v1"] = batch.View1, ["in.v2"] = batch.View2, ["in.frames"] = batch.Frames, ["in.idx"] = batch.FrameIndices,
            ["keep1"] = o.View1.Masking.IdsKeep, ["keep2"] = o.View2.Masking.IdsKeep, ["keepf"] = o.Image!.Masking.IdsKeep,
            ["zu1"] = o.View1.ZVideo, ["zu2"] = o.View2.ZVideo, ["zf1"] = o.View1.ZFrame, ["zf2"] = o.View2.ZFrame,
            ["hf"] = o.Image.HFrame, ["pred1"] = o.View1.Prediction!, ["pred2"] = o.View2.Prediction!,
        };
        Reference.Save(dir.File("in.safetensors"), tensors);
        bool learned = pos == PositionalEmbeddingKind.LearnedSeparable;
        var r = Reference.RunJson(dir, $$"""
            import json, st, torch
            import cvmae_reference as R
            t = st.load("in.safetensors")
            cfg = {"depth": 2, "heads": 3, "learned": {{(learned ? "True" : "False")}}, "decoder_depth": 2, "decoder_heads": 4}
            icfg = {"depth": 2, "heads": 3}
            out = {}
            for v in ("1", "2"):
                keep = t["keep" + v]
                tok = R.encoder(t["in.v" + v], t, "video_encoder", cfg, keep, True)
                emb = R.mlp(tok, t, "g_u")
                out["zu" + v] = (emb.mean(1) - t["zu" + v]).abs().max().item()
                zf = R.frame_level(emb, keep, t["in.idx"], 9, 2, 2)
                out["zf" + v] = (zf - t["zf" + v]).abs().max().item()
                dec = R.decoder(emb, t, keep, (2, 3, 3), cfg)
                out["pred" + v] = (R.mlp(dec, t, "e_u") - t["pred" + v]).abs().max().item()
            b, n = t["in.frames"].shape[:2]
            fr = t["in.frames"].reshape(b * n, 3, 48, 48)
            tok = R.encoder(fr, t, "image_encoder", icfg, t["keepf"], False)
            per_frame = R.mlp(tok, t, "g_f").mean(1).reshape(b, n, -1)
            out["hf"] = (per_frame.mean(1) - t["hf"]).abs().max().item()
            print(json.dumps(out))
            """);
        foreach (var (k, v) in r) Assert.True(v < 2e-5, $"{k}: max |C# - PyTorch| = {v}");
        Assert.Equal(7, r.Count);
    }

    [Fact]
    public void Classifier_matches_pytorch_and_loads_the_pretrained_encoder()
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDir();
        ModelConfig c = TinySetup.Config() with { VideoEncoder = ModelConfigs.Tiny.VideoEncoder with { Depth = 2 } };
        using var pretrained = new CrossVideoMAE(c, seed: 1);
        Randomise(pretrained, 2);
        using var classifier = new VideoClassifier(c, numClasses: 7, seed: 3);
        classifier.LoadPretrainedEncoder(pretrained.state_dict());
        Assert.Equal(0.0, Reference.MaxAbsDiff(pretrained.video_encoder.blocks[1].attn.qkv!.weight, classifier.encoder.blocks[1].attn.qkv!.weight));
        Assert.Null(classifier.encoder.norm);
        classifier.eval();
        Randomise(classifier.head, 4);
        Tensor video = TinySetup.Batch(c, 2, 1, seed: 5).View1;
        Tensor logits;
        using (torch.no_grad()) logits = classifier.forward(video);
        Tensor features = new FeatureExtractor(pretrained.video_encoder).Extract(video);
        var tensors = new Dictionary<string, Tensor>(Prefixed(classifier, "cls."))
        {
            ["x"] = video, ["logits"] = logits, ["features"] = features,
        };
        foreach (var kv in Prefixed(pretrained.video_encoder, "pre.")) tensors[kv.Key] = kv.Value;
        Reference.Save(dir.File("in.safetensors"), tensors);
        var r = Reference.RunJson(dir, """
            import json, st, torch
            import torch.nn.functional as F
            import cvmae_reference as R
            t = st.load("in.safetensors")
            cfg = {"depth": 2, "heads": 3}
            tok = R.encoder(t["x"], t, "cls.encoder", cfg, None, True)
            logits = R.linear(R.layer_norm(tok.mean(1), t, "cls.head.norm"), t, "cls.head.fc")
            feats = R.encoder(t["x"], t, "pre", cfg, None, True).mean(1)
            print(json.dumps({"logits": (logits - t["logits"]).abs().max().item(),
                              "features": (feats - t["features"]).abs().max().item()}))
            """);
        Assert.InRange(r["logits"], 0, 1e-5);
        Assert.InRange(r["features"], 0, 1e-5);
        Assert.Equal(new long[] { 2, 7 }, logits.shape);
    }
}
