using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Vit;

/// <summary>
/// The MAE decoder: <c>decoder_embed</c> maps the visible embeddings to the decoder width, the
/// learnable <c>mask_token</c> fills the hidden positions, tokens return to grid order, get
/// <c>decoder_pos_embed</c> (or <c>decoder_pos_embed_spatial</c>/<c>_temporal</c>), pass
/// <c>decoder_blocks.{i}</c> and <c>decoder_norm</c>.
/// </summary>
public sealed class MaeDecoder : Module
{
    public DecoderConfig Config { get; }
    public TokenGrid Grid { get; }
    public Linear decoder_embed { get; }
    public Parameter mask_token { get; }
    public PositionalEmbedding decoder_pos_embed { get; }
    public IReadOnlyList<Block> decoder_blocks { get; }
    public LayerNorm decoder_norm { get; }

    public MaeDecoder(DecoderConfig config, TokenGrid grid, long inputDim, PositionalEmbeddingKind posEmbed)
    {
        Config = config;
        Grid = grid;
        decoder_embed = register_module("decoder_embed", new Linear(inputDim, config.Width));
        mask_token = register_parameter("mask_token", torch.zeros([1, 1, config.Width]));
        decoder_pos_embed = PositionalEmbedding.Create(posEmbed, grid, config.Width, "decoder_pos_embed",
            (n, t) => register_buffer(n, t), (n, t) => register_parameter(n, t));
        var list = new List<Block>();
        for (int i = 0; i < config.Depth; i++)
            list.Add(register_module($"decoder_blocks.{i}", new Block(config.Width, config.NumHeads, config.MlpHiddenDim)));
        decoder_blocks = list;
        decoder_norm = register_module("decoder_norm", new LayerNorm(config.Width, ModelConfig.LayerNormEps));
    }

    /// <summary>visible: [B, Lv, E] embeddings of the visible tokens in IdsKeep order; idsRestore: [B, L].
    /// Returns f_d: [B, L, W], one decoded vector per token in grid order.</summary>
    public Tensor forward(Tensor visible, Tensor idsRestore)
    {
        using var scope = torch.NewDisposeScope();
        long b = visible.size(0), lv = visible.size(1), l = Grid.Length, w = Config.Width;
        if (idsRestore.size(1) != l) throw new ArgumentException($"ids_restore covers {idsRestore.size(1)} tokens; the decoder grid has {l}");
        Tensor x = decoder_embed.forward(visible);                                     // [B, Lv, W]
        Tensor hidden = mask_token.expand(b, l - lv, w);                              // [B, L-Lv, W]
        Tensor full = torch.cat([x, hidden], 1);                                       // [B, L, W] shuffled order
        full = full.gather(1, idsRestore.unsqueeze(-1).expand(b, l, w));               // [B, L, W] grid order
        full = full + decoder_pos_embed.Table();
        foreach (Block blk in decoder_blocks) full = blk.forward(full);
        return scope.MoveToOuter(decoder_norm.forward(full));
    }
}
