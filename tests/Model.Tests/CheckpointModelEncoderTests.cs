using System.Text.Json;
using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model.Checkpoints.Pth;
using CrossVideoMAE.Model.Vit;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Model.Tests.CheckpointTestSupport;

namespace CrossVideoMAE.Model.Tests;

/// <summary>
/// A .pth written by PyTorch in facebookresearch/mae, mae_st and VideoMAE naming
/// (Fixtures/vit_reference.py) loads into the model's own encoder classes and gives the
/// encoder output PyTorch computed, to 1e-4.
/// </summary>
[Collection(ForeignCheckpointCollection.Name)]
public class CheckpointModelEncoderTests(ForeignCheckpointFixtures fx)
{
    [Theory]
    [InlineData("mae")]
    [InlineData("mae_st")]
    [InlineData("videomae")]
    public void A_pytorch_checkpoint_loads_into_our_encoder_and_gives_pytorchs_output(string layout)
    {
        JsonElement cfg = fx.Config(layout);
        long d = cfg.GetProperty("embed_dim").GetInt64();
        int depth = cfg.GetProperty("depth").GetInt32(), heads = cfg.GetProperty("num_heads").GetInt32();
        int patch = cfg.GetProperty("patch").GetInt32();
        long[] grid = cfg.GetProperty("grid").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var pos = layout == "mae_st" ? PositionalEmbeddingKind.LearnedSeparable : PositionalEmbeddingKind.SinCos;
        var config = new EncoderConfig(d, depth, heads, PosEmbed: pos);

        using PthStateDict source = PthReader.Load(fx.Dir.File(layout + ".pth"));
        using KeyMapResult mapped = ForeignKeyMaps.MapAuto(source.Tensors);
        using VisionTransformer encoder = layout == "mae"
            ? VisionTransformer.Image(config, TokenGrid.Image(grid[^2], grid[^1]), 3, patch)
            : VisionTransformer.Video(config, new TokenGrid(grid[0], grid[1], grid[2]), 3, cfg.GetProperty("tubelet").GetInt32(), patch);
        encoder.load_state_dict(mapped.Tensors);
        encoder.eval();

        Dictionary<string, Tensor> io = Expected(fx.Dir, layout + ".io.safetensors");
        try
        {
            using var scope = torch.NewDisposeScope();
            using (torch.no_grad())
                AssertClose(io["output"], encoder.forward(io["input"]), 1e-4, layout);
        }
        finally { DisposeAll(io.Values); }
    }
}
