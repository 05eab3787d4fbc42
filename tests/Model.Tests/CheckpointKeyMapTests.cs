using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model.Checkpoints.Pth;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Model.Tests.CheckpointTestSupport;

namespace CrossVideoMAE.Model.Tests;

/// <summary>Foreign state dicts written by PyTorch map to our names, with the fused tensors PyTorch computes.</summary>
[Collection(ForeignCheckpointCollection.Name)]
public class CheckpointKeyMapTests(ForeignCheckpointFixtures fx)
{
    private static readonly string[] BlockParts =
    [
        "norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
        "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias",
    ];

    /// <summary>Our encoder's names for a two-block encoder with the given positional keys.</summary>
    private static string[] OurNames(params string[] positional) =>
        new[] { "patch_embed.proj.weight", "patch_embed.proj.bias", "norm.weight", "norm.bias" }
            .Concat(positional)
            .Concat(Enumerable.Range(0, 2).SelectMany(i => BlockParts.Select(p => $"blocks.{i}.{p}")))
            .Order(StringComparer.Ordinal).ToArray();

    private static string[] Sorted(IEnumerable<string> keys) => keys.Order(StringComparer.Ordinal).ToArray();

    private PthStateDict Load(string file) => PthReader.Load(fx.Dir.File(file));

    private Dictionary<string, Tensor> Expected(string layout) => CheckpointTestSupport.Expected(fx.Dir, layout + ".expected.safetensors");

    [Fact]
    public void Mae_image_keys_keep_their_names_and_pos_embed_loses_the_class_slot()
    {
        using PthStateDict source = Load("mae.pth");
        Dictionary<string, Tensor> expected = Expected("mae");
        try
        {
            Assert.Equal(ForeignCheckpointFormat.MaeImage, ForeignKeyMaps.Detect(source.Tensors));
            using KeyMapResult r = ForeignKeyMaps.MapMaeImage(source.Tensors);
            Assert.Equal(OurNames("pos_embed"), Sorted(r.Tensors.Keys));
            foreach (var (k, e) in expected) AssertIdentical(e, r.Tensors[k], k);
            AssertIdentical(source.Tensors["blocks.1.mlp.fc2.weight"], r.Tensors["blocks.1.mlp.fc2.weight"], "fc2");
            Assert.Equal(["cls_token", "decoder_blocks.0.norm1.weight", "decoder_embed.weight", "decoder_pos_embed", "mask_token"],
                Sorted(r.Ignored.Select(s => s[..s.IndexOf(':')])));
            Assert.Empty(r.Unmapped);
            Assert.Contains("pos_embed: dropped the class-token slot ([1, 17, 48] -> [1, 16, 48])", r.Notes);
        }
        finally { DisposeAll(expected.Values); }
    }

    [Fact]
    public void Mae_st_separate_q_k_v_are_fused_as_torch_cat_does()
    {
        using PthStateDict source = Load("mae_st.pth");
        Dictionary<string, Tensor> expected = Expected("mae_st");
        try
        {
            Assert.Equal(ForeignCheckpointFormat.MaeStVideo, ForeignKeyMaps.Detect(source.Tensors));
            using KeyMapResult r = ForeignKeyMaps.MapMaeStVideo(source.Tensors);
            Assert.Equal(OurNames("pos_embed_spatial", "pos_embed_temporal"), Sorted(r.Tensors.Keys));
            foreach (var (k, e) in expected) AssertIdentical(e, r.Tensors[k], k);
            Assert.Equal(new long[] { 144, 48 }, r.Tensors["blocks.0.attn.qkv.weight"].shape);
            AssertIdentical(source.Tensors["pos_embed_spatial"], r.Tensors["pos_embed_spatial"], "pos_embed_spatial");
            AssertIdentical(source.Tensors["pos_embed_temporal"], r.Tensors["pos_embed_temporal"], "pos_embed_temporal");
            Assert.Contains(r.Ignored, s => s.StartsWith("pos_embed_class:", StringComparison.Ordinal));
            Assert.Empty(r.Unmapped);
            Assert.Contains("fused separate attn.q/k/v weights into attn.qkv in 2 blocks", r.Notes);
        }
        finally { DisposeAll(expected.Values); }
    }

    [Fact]
    public void VideoMae_pretraining_encoder_gets_a_qkv_bias_of_q_bias_zeros_v_bias()
    {
        using PthStateDict source = Load("videomae.pth");
        Dictionary<string, Tensor> expected = Expected("videomae");
        try
        {
            Assert.Equal("model", source.UnwrappedFrom);
            Assert.Contains(source.Skipped, s => s.StartsWith("epoch: int 799", StringComparison.Ordinal));
            Assert.Equal(ForeignCheckpointFormat.VideoMae, ForeignKeyMaps.Detect(source.Tensors));
            using KeyMapResult r = ForeignKeyMaps.MapVideoMae(source.Tensors);
            Assert.Equal(OurNames("pos_embed"), Sorted(r.Tensors.Keys));
            foreach (var (k, e) in expected) AssertIdentical(e, r.Tensors[k], k);
            using (Tensor kBias = r.Tensors["blocks.1.attn.qkv.bias"].narrow(0, 48, 48))
                Assert.All(kBias.ToArray<float>(), v => Assert.Equal(0f, v));
            Assert.Equal(["decoder.blocks.0.norm1.weight", "decoder.head.weight", "encoder_to_decoder.weight", "mask_token"],
                Sorted(r.Ignored.Select(s => s[..s.IndexOf(':')])));
            Assert.Empty(r.Unmapped);
            Assert.Contains("took the encoder from under 'encoder.'", r.Notes);
        }
        finally { DisposeAll(expected.Values); }
    }

    [Fact]
    public void VideoMae_fine_tuned_fc_norm_becomes_norm_and_unknown_keys_are_reported()
    {
        using PthStateDict source = Load("videomae_ft.pth");
        using PthStateDict pretrain = Load("videomae.pth");
        Assert.Equal("module", source.UnwrappedFrom);
        using KeyMapResult r = ForeignKeyMaps.MapAuto(source.Tensors);
        Assert.Equal(ForeignCheckpointFormat.VideoMae, r.Format);
        Assert.Equal(OurNames("pos_embed"), Sorted(r.Tensors.Keys));
        AssertIdentical(pretrain.Tensors["encoder.norm.weight"], r.Tensors["norm.weight"], "norm.weight");
        AssertIdentical(pretrain.Tensors["encoder.norm.bias"], r.Tensors["norm.bias"], "norm.bias");
        Assert.Equal(["blocks.0.gamma_1"], r.Unmapped);
        Assert.Equal(["head.bias", "head.weight"], Sorted(r.Ignored.Select(s => s[..s.IndexOf(':')])));
        Assert.Contains(r.Notes, n => n.Contains("fc_norm is loaded as norm"));
    }

    [Fact]
    public void A_DistributedDataParallel_prefix_is_removed()
    {
        using PthStateDict ddp = Load("mae_ddp.pth");
        using PthStateDict plain = Load("mae.pth");
        Assert.StartsWith("module.", ddp.Tensors.Keys.First());
        using KeyMapResult a = ForeignKeyMaps.MapAuto(ddp.Tensors), b = ForeignKeyMaps.MapAuto(plain.Tensors);
        Assert.Equal(Sorted(b.Tensors.Keys), Sorted(a.Tensors.Keys));
        foreach (var (k, t) in b.Tensors) AssertIdentical(t, a.Tensors[k], k);
        Assert.Contains("removed the DistributedDataParallel prefix 'module.'", a.Notes);
    }

    [Fact]
    public void The_caller_takes_the_tensors_under_its_encoder_prefix_and_the_source_is_untouched()
    {
        using PthStateDict source = Load("mae_st.pth");
        int before = source.Tensors.Count;
        Dictionary<string, Tensor> taken;
        using (KeyMapResult r = ForeignKeyMaps.MapMaeStVideo(source.Tensors))
        {
            taken = r.TakeWithPrefix("video_encoder.");
            Assert.Empty(r.Tensors);
        }
        try
        {
            Assert.All(taken.Keys, k => Assert.StartsWith("video_encoder.", k));
            Assert.Contains("video_encoder.blocks.1.attn.qkv.weight", taken.Keys);
            Assert.Equal(before, source.Tensors.Count);
            Assert.All(source.Tensors.Values, t => Assert.False(t.IsDisposed));
        }
        finally { DisposeAll(taken.Values); }
    }

    [Fact]
    public void A_map_for_the_wrong_kind_of_checkpoint_says_so()
    {
        using PthStateDict image = Load("mae.pth");
        using PthStateDict video = Load("mae_st.pth");
        var e1 = Assert.Throws<InvalidDataException>(() => ForeignKeyMaps.MapMaeImage(video.Tensors));
        Assert.Contains("patch_embed.proj.weight is rank 5", e1.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => ForeignKeyMaps.MapVideoMae(image.Tensors));
        Assert.Contains("patch_embed.proj.weight is rank 4", e2.Message);

        using Tensor w = torch.zeros(2, 2);
        var e3 = Assert.Throws<InvalidDataException>(() => ForeignKeyMaps.Detect(new Dictionary<string, Tensor> { ["fc.weight"] = w }));
        Assert.Contains("cannot tell the checkpoint's layout", e3.Message);
        Assert.Contains("fc.weight", e3.Message);
    }
}
