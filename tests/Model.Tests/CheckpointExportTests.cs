using System.Text.Json;
using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model.Checkpoints.Pth;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using Xunit;
using static CrossVideoMAE.Model.Tests.CheckpointTestSupport;

namespace CrossVideoMAE.Model.Tests;

/// <summary>A video encoder exported with MAE-style names loads in PyTorch and gives the original model's output.</summary>
[Collection(ForeignCheckpointCollection.Name)]
public class CheckpointExportTests(ForeignCheckpointFixtures fx)
{
    [Fact]
    public void An_exported_video_encoder_loads_in_pytorch_under_mae_and_mae_st_names()
    {
        // Our model's state: the mae_st encoder under video_encoder., beside other parts of the model.
        using PthStateDict source = PthReader.Load(fx.Dir.File("mae_st.pth"));
        Dictionary<string, Tensor> model;
        using (KeyMapResult mapped = ForeignKeyMaps.MapMaeStVideo(source.Tensors)) model = mapped.TakeWithPrefix("video_encoder.");
        model["decoder.pred.weight"] = torch.zeros(4, 4).DetachFromDisposeScope();
        try
        {
            MaeExport.SaveVideoEncoder(fx.Dir.File("export_fused.safetensors"), model);
            MaeExport.SaveVideoEncoder(fx.Dir.File("export_split.safetensors"), model, splitQkv: true);

            var (_, meta) = SafeTensors.Load(fx.Dir.File("export_fused.safetensors"));
            Assert.Equal("2", meta["depth"]);
            Assert.Equal("48", meta["embed_dim"]);
            Assert.Equal("none", meta["class_token"]);

            string verdict = Python(fx.Dir, $$"""
                import sys, torch, st
                sys.path.insert(0, {{JsonSerializer.Serialize(ForeignCheckpointFixtures.FixtureScripts)}})
                import vit_reference as vr
                original = torch.load('mae_st.pth')
                encoder = {k: v for k, v in original.items() if not k.startswith(('decoder', 'mask_token', 'pos_embed_class'))}
                split = st.load('export_split.safetensors')
                fused = st.load('export_fused.safetensors')
                assert sorted(split) == sorted(encoder), sorted(set(split) ^ set(encoder))
                assert all(torch.equal(split[k], v) for k, v in encoder.items())
                names = sorted(k for k in encoder if '.attn.q' not in k and '.attn.k' not in k and '.attn.v' not in k)
                names += ['blocks.%d.attn.qkv.%s' % (i, p) for i in range(2) for p in ('weight', 'bias')]
                assert sorted(fused) == sorted(names), sorted(set(fused) ^ set(names))
                for i in range(2):
                    w, b = vr.qkv_of(encoder, 'blocks.%d.' % i)
                    assert torch.equal(fused['blocks.%d.attn.qkv.weight' % i], w) and torch.equal(fused['blocks.%d.attn.qkv.bias' % i], b)
                io = st.load('mae_st.io.safetensors')
                with torch.no_grad():
                    out = vr.forward('mae_st', split, io['input'])
                print('ok', float((out - io['output']).abs().max()))
                """);
            Assert.StartsWith("ok 0.0", verdict.Trim());
        }
        finally { DisposeAll(model.Values); }
    }

    [Fact]
    public void Exporting_without_an_encoder_under_the_prefix_is_refused()
    {
        using Tensor w = torch.zeros(2);
        var model = new Dictionary<string, Tensor> { ["image_encoder.norm.weight"] = w };
        var e = Assert.Throws<ArgumentException>(() => MaeExport.SaveVideoEncoder(fx.Dir.File("none.safetensors"), model));
        Assert.Contains("'video_encoder.patch_embed.proj.weight'", e.Message);
        Assert.False(File.Exists(fx.Dir.File("none.safetensors")));
    }
}
