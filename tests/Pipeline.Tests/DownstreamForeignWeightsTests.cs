using System.Text.Json;
using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using Xunit;
using CvMae = CrossVideoMAE.Model.CrossVideoMAE;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>
/// Downstream <c>--weights</c> takes a foreign PyTorch checkpoint: a VideoMAE pretraining <c>.pth</c>
/// of the tiny config's shape, written by PyTorch, loads into the classifier exactly as into the
/// pre-training model, with the tensors PyTorch says the renaming gives.
/// </summary>
public sealed class DownstreamForeignWeightsTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-foreign-weights");

    public void Dispose() => dir.Dispose();

    // VideoMAE's layout ('model' -> 'encoder.*', q_bias/v_bias, decoder keys) at the tiny config's sizes
    // (width 192, 4 blocks, patch 16, tubelet 2); expected.safetensors holds our names as PyTorch builds them.
    private const string WriteVideoMae = """
        import torch, st
        g = torch.Generator().manual_seed(3)
        def rnd(*s): return torch.randn(*s, generator=g) * 0.05
        d, h = 192, 768
        enc = {'patch_embed.proj.weight': rnd(d, 3, 2, 16, 16), 'patch_embed.proj.bias': rnd(d),
               'norm.weight': 1 + rnd(d), 'norm.bias': rnd(d)}
        expected = {k: v for k, v in enc.items() if not k.startswith('norm.')}
        for i in range(4):
            b = 'blocks.%d.' % i
            blk = {'norm1.weight': 1 + rnd(d), 'norm1.bias': rnd(d), 'attn.qkv.weight': rnd(3 * d, d),
                   'attn.q_bias': rnd(d), 'attn.v_bias': rnd(d), 'attn.proj.weight': rnd(d, d), 'attn.proj.bias': rnd(d),
                   'norm2.weight': 1 + rnd(d), 'norm2.bias': rnd(d), 'mlp.fc1.weight': rnd(h, d), 'mlp.fc1.bias': rnd(h),
                   'mlp.fc2.weight': rnd(d, h), 'mlp.fc2.bias': rnd(d)}
            for k, v in blk.items():
                enc[b + k] = v
                if k not in ('attn.q_bias', 'attn.v_bias'): expected[b + k] = v
            expected[b + 'attn.qkv.bias'] = torch.cat([blk['attn.q_bias'], torch.zeros(d), blk['attn.v_bias']])
        model = {'encoder.' + k: v for k, v in enc.items()}
        model.update({'mask_token': rnd(1, 1, 96), 'encoder_to_decoder.weight': rnd(96, d), 'decoder.norm.weight': rnd(96)})
        torch.save({'model': model, 'epoch': 799}, 'videomae_tiny.pth')
        st.save(expected, 'expected.safetensors')
        """;

    [Fact]
    public async Task A_videomae_pth_loads_into_the_classifier_as_into_pretraining_and_linprobe_takes_it()
    {
        PyTorchReference.Run(WriteVideoMae, dir.Path);
        string pth = dir.File("videomae_tiny.pth");
        var (expected, _) = SafeTensors.Load(dir.File("expected.safetensors"));
        try
        {
            using ModelWeights weights = ModelWeights.Load(pth);
            ModelConfig config = DownstreamSetup.ResolveConfig(null, weights);
            Assert.Equal("tiny", config.Name);
            using VideoClassifier classifier = DownstreamSetup.Classifier(config, 4, 32, 3, 0, 0, 0.01, 1);
            using var pretrain = new CvMae(config.WithInput(4, 32) with { VideoMaskRatio = 0.5, ImageMaskRatio = 0.5 }, seed: 2);
            WeightsLoader.LoadEncoder(classifier.encoder, weights, WeightsLoader.VideoPrefixes);
            WeightsLoader.LoadEncoder(pretrain.video_encoder, weights, WeightsLoader.VideoPrefixes);

            Dictionary<string, Tensor> down = classifier.encoder.state_dict(), pre = pretrain.video_encoder.state_dict();
            Assert.Equal(expected.Keys.Append("pos_embed").Order(), down.Keys.Order());
            foreach (var (k, t) in down)
            {
                using Tensor same = t.eq(pre[k]).all();
                Assert.True(same.item() != 0, $"{k}: the two paths differ");
                if (!expected.TryGetValue(k, out Tensor? truth)) continue;   // pos_embed: VideoMAE saves none
                using Tensor exact = t.eq(truth).all();
                Assert.True(exact.item() != 0, $"{k} differs from PyTorch's");
            }
        }
        finally
        {
            foreach (Tensor t in expected.Values) t.Dispose();
        }

        string index = await DownstreamTestData.WriteAsync(dir.Path, DownstreamTestData.ColourVideos(train: 2, val: 1));
        string outDir = dir.File("probe");
        Assert.Equal(0, Program.Main(["linprobe", "--manifest", index, "--weights", pth, "--size", "32", "--out", outDir, "--epochs", "2", "--warmup-epochs", "1", "--threads", "1"]));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "linprobe.json")));
        Assert.Equal("tiny", doc.RootElement.GetProperty("Config").GetString());
        Assert.False(doc.RootElement.GetProperty("RandomInit").GetBoolean());

        File.WriteAllBytes(dir.File("junk.pth"), [1, 2, 3, 4]);
        Assert.Equal(2, Program.Main(["linprobe", "--manifest", index, "--weights", dir.File("junk.pth"), "--size", "32", "--out", dir.File("probe-junk")]));
    }
}
