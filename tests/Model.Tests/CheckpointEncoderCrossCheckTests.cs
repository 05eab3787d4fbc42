using System.Text.Json;
using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model.Checkpoints.Pth;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Model.Tests.CheckpointTestSupport;
using F = CrossVideoMAE.Torch.torch.nn.functional;

namespace CrossVideoMAE.Model.Tests;

/// <summary>
/// End to end: a .pth written by PyTorch (Fixtures/vit_reference.py), loaded and key-mapped here,
/// gives PyTorch's encoder output. The forward below is a plain functional ViT over the mapped
/// names (our encoder contract: no class token, pre-norm blocks, final norm); once the model's
/// encoder classes exist, the same fixtures check them (see Fixtures/README.md).
/// </summary>
[Collection(ForeignCheckpointCollection.Name)]
public class CheckpointEncoderCrossCheckTests(ForeignCheckpointFixtures fx)
{
    [Theory]
    [InlineData("mae", ForeignCheckpointFormat.MaeImage)]
    [InlineData("mae_st", ForeignCheckpointFormat.MaeStVideo)]
    [InlineData("videomae", ForeignCheckpointFormat.VideoMae)]
    public void A_mapped_pytorch_checkpoint_gives_pytorchs_encoder_output(string layout, ForeignCheckpointFormat format)
    {
        using PthStateDict source = PthReader.Load(fx.Dir.File(layout + ".pth"));
        using KeyMapResult mapped = ForeignKeyMaps.MapAuto(source.Tensors);
        Assert.Equal(format, mapped.Format);
        Dictionary<string, Tensor> io = Expected(fx.Dir, layout + ".io.safetensors");
        try
        {
            using var scope = torch.NewDisposeScope();
            Tensor output = FunctionalEncoder.Forward(mapped.Tensors, io["input"], fx.Config(layout));
            AssertClose(io["output"], output, 1e-4, layout);
        }
        finally { DisposeAll(io.Values); }
    }

    /// <summary>A ViT encoder written with functional ops over our parameter names.</summary>
    private static class FunctionalEncoder
    {
        public static Tensor Forward(IReadOnlyDictionary<string, Tensor> w, Tensor x, JsonElement cfg)
        {
            long d = cfg.GetProperty("embed_dim").GetInt64(), heads = cfg.GetProperty("num_heads").GetInt64();
            long p = cfg.GetProperty("patch").GetInt64(), tubelet = cfg.GetProperty("tubelet").GetInt64();
            int depth = cfg.GetProperty("depth").GetInt32();
            double eps = cfg.GetProperty("layer_norm_eps").GetDouble();
            long[] grid = cfg.GetProperty("grid").EnumerateArray().Select(g => g.GetInt64()).ToArray(); // [T, H, W]

            Tensor patches = x.dim() == 4
                ? F.conv2d(x, w["patch_embed.proj.weight"], w["patch_embed.proj.bias"], stride: [p, p])            // [B, D, H, W]
                : F.conv3d(x, w["patch_embed.proj.weight"], w["patch_embed.proj.bias"], stride: [tubelet, p, p]);  // [B, D, T, H, W]
            Tensor tokens = patches.flatten(2).transpose(1, 2);                                                    // [B, N, D]
            Tensor pos = w.TryGetValue("pos_embed", out Tensor? joint)
                ? joint                                                                                            // [1, N, D]
                : w["pos_embed_spatial"].repeat(1, grid[0], 1) + w["pos_embed_temporal"].repeat_interleave(grid[1] * grid[2], 1);
            tokens = tokens + pos;

            long b = tokens.size(0), n = tokens.size(1), hd = d / heads;
            for (int i = 0; i < depth; i++)
            {
                string k = $"blocks.{i}.";
                Tensor y = F.layer_norm(tokens, [d], w[k + "norm1.weight"], w[k + "norm1.bias"], eps);
                Tensor qkv = F.linear(y, w[k + "attn.qkv.weight"], w[k + "attn.qkv.bias"])
                    .reshape(b, n, 3, heads, hd).permute(2, 0, 3, 1, 4);                                            // [3, B, heads, N, hd]
                Tensor q = qkv[0], kk = qkv[1], v = qkv[2];
                Tensor att = F.softmax(q.matmul(kk.transpose(-2, -1)) * Math.Pow(hd, -0.5), -1);                   // [B, heads, N, N]
                y = att.matmul(v).transpose(1, 2).reshape(b, n, d);                                               // [B, N, D]
                tokens = tokens + F.linear(y, w[k + "attn.proj.weight"], w[k + "attn.proj.bias"]);
                y = F.layer_norm(tokens, [d], w[k + "norm2.weight"], w[k + "norm2.bias"], eps);
                y = F.linear(F.gelu(F.linear(y, w[k + "mlp.fc1.weight"], w[k + "mlp.fc1.bias"])), w[k + "mlp.fc2.weight"], w[k + "mlp.fc2.bias"]);
                tokens = tokens + y;
            }
            return F.layer_norm(tokens, [d], w["norm.weight"], w["norm.bias"], eps);                              // [B, N, D]
        }
    }
}
