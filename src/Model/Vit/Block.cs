using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Vit;

/// <summary>Pre-norm transformer block: x + drop_path(attn(norm1(x))), then x + drop_path(mlp(norm2(x))). LayerNorm eps 1e-6.</summary>
public sealed class Block : Module
{
    public LayerNorm norm1 { get; }
    public Attention attn { get; }
    public DropPath drop_path { get; }
    public LayerNorm norm2 { get; }
    public Mlp mlp { get; }

    public Block(long dim, int numHeads, long mlpHidden, bool qkvBias = true, QkvLayout layout = QkvLayout.Fused, double dropPath = 0)
    {
        norm1 = register_module("norm1", new LayerNorm(dim, ModelConfig.LayerNormEps));
        attn = register_module("attn", new Attention(dim, numHeads, qkvBias, layout));
        drop_path = register_module("drop_path", new DropPath(dropPath));
        norm2 = register_module("norm2", new LayerNorm(dim, ModelConfig.LayerNormEps));
        mlp = register_module("mlp", new Mlp(dim, mlpHidden, dim));
    }

    // x: [B, N, D] -> [B, N, D]
    public Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        Tensor h = x + drop_path.forward(attn.forward(norm1.forward(x)));
        Tensor y = h + drop_path.forward(mlp.forward(norm2.forward(h)));
        return scope.MoveToOuter(y);
    }
}
