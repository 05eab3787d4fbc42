using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Vit;

/// <summary>
/// A ViT encoder over a fixed token grid (video f_u or image f_f), MAE layout:
/// <c>patch_embed.proj.*</c>, <c>pos_embed</c> (or <c>pos_embed_spatial</c>/<c>pos_embed_temporal</c>),
/// optional <c>cls_token</c>, <c>blocks.{i}.*</c>, <c>norm.*</c>. Positional embeddings cover the
/// patch tokens only ([1, L, D]); a class token, when enabled, gets none (MAE's cls row of the
/// sin-cos table is zero).
/// </summary>
public sealed class VisionTransformer : Module
{
    public EncoderConfig Config { get; }
    public TokenGrid Grid { get; }
    public ITokenEmbedding patch_embed { get; }
    public PositionalEmbedding pos_embed { get; }
    public Parameter? cls_token { get; }
    public IReadOnlyList<Block> blocks { get; }
    public LayerNorm? norm { get; }

    private VisionTransformer(EncoderConfig config, TokenGrid grid, Module patchEmbed)
    {
        Config = config;
        Grid = grid;
        patch_embed = (ITokenEmbedding)register_module("patch_embed", patchEmbed);
        pos_embed = PositionalEmbedding.Create(config.PosEmbed, grid, config.EmbedDim, "pos_embed",
            (n, t) => register_buffer(n, t), (n, t) => register_parameter(n, t));
        if (config.ClassToken) cls_token = register_parameter("cls_token", torch.zeros([1, 1, config.EmbedDim]));
        var list = new List<Block>();
        for (int i = 0; i < config.Depth; i++)
        {
            // Stochastic depth grows linearly from 0 to the configured rate over the blocks.
            double dp = config.Depth == 1 ? config.DropPathRate : config.DropPathRate * i / (config.Depth - 1);
            list.Add(register_module($"blocks.{i}",
                new Block(config.EmbedDim, config.NumHeads, config.MlpHiddenDim, config.QkvBias, config.Qkv, dp)));
        }
        blocks = list;
        if (config.FinalNorm) norm = register_module("norm", new LayerNorm(config.EmbedDim, ModelConfig.LayerNormEps));
    }

    /// <summary>A video encoder for clips of <paramref name="grid"/> tubelets.</summary>
    public static VisionTransformer Video(EncoderConfig config, TokenGrid grid, int inChannels, int tubeletSize, int patchSize)
    {
        config.Validate("video encoder");
        return new(config, grid, new TubeletEmbed3d(inChannels, config.EmbedDim, tubeletSize, patchSize));
    }

    /// <summary>An image encoder for frames of <paramref name="grid"/> patches.</summary>
    public static VisionTransformer Image(EncoderConfig config, TokenGrid grid, int inChannels, int patchSize)
    {
        config.Validate("image encoder");
        return new(config, grid, new PatchEmbed2d(inChannels, config.EmbedDim, patchSize));
    }

    /// <summary>
    /// x: [B, C, (T,) H, W]; idsKeep: [B, Lv] indices of the visible tokens (null: all L tokens).
    /// Returns the encoded visible patch tokens [B, Lv, D] (after <c>norm</c> when the config has it).
    /// </summary>
    public Tensor forward(Tensor x, Tensor? idsKeep = null)
    {
        TokenGrid grid = patch_embed.GridOf(x.shape);
        if (grid != Grid)
            throw new ArgumentException($"input of shape [{string.Join(", ", x.shape)}] gives a {grid} token grid; this encoder was built for {Grid}");
        using var scope = torch.NewDisposeScope();
        long b = x.size(0), d = Config.EmbedDim;
        Tensor tokens = patch_embed.forward(x) + pos_embed.Table();                // [B, L, D]
        if (idsKeep is not null)
            tokens = tokens.gather(1, idsKeep.unsqueeze(-1).expand(b, idsKeep.size(1), d)); // [B, Lv, D]
        if (cls_token is not null)
            tokens = torch.cat([cls_token.expand(b, 1, d), tokens], 1);            // [B, 1+Lv, D]
        foreach (Block blk in blocks) tokens = blk.forward(tokens);
        if (norm is not null) tokens = norm.forward(tokens);
        if (cls_token is not null) tokens = tokens.narrow(1, 1, tokens.size(1) - 1); // [B, Lv, D]
        return scope.MoveToOuter(tokens);
    }
}
