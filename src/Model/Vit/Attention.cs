using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;
using static CrossVideoMAE.Torch.torch.nn;

namespace CrossVideoMAE.Model.Vit;

/// <summary>
/// Multi-head self-attention, softmax(q kᵀ / sqrt(d)) v, then <c>proj</c>. The input projection is
/// stored in one of three layouts (<see cref="QkvLayout"/>) so that MAE, MAE-ST and VideoMAE
/// weights load by name; all three compute the same function.
/// </summary>
public sealed class Attention : Module
{
    public long Dim { get; }
    public int NumHeads { get; }
    public QkvLayout Layout { get; }

    public Linear? qkv { get; }
    public Linear? q { get; }
    public Linear? k { get; }
    public Linear? v { get; }
    public Parameter? q_bias { get; }
    public Parameter? v_bias { get; }
    public Linear proj { get; }

    public Attention(long dim, int numHeads, bool qkvBias = true, QkvLayout layout = QkvLayout.Fused)
    {
        if (dim % numHeads != 0) throw new ArgumentException($"attention width {dim} is not divisible by {numHeads} heads");
        Dim = dim;
        NumHeads = numHeads;
        Layout = layout;
        switch (layout)
        {
            case QkvLayout.Fused:
                qkv = register_module("qkv", new Linear(dim, 3 * dim, qkvBias));
                break;
            case QkvLayout.Split:
                q = register_module("q", new Linear(dim, dim, qkvBias));
                k = register_module("k", new Linear(dim, dim, qkvBias));
                v = register_module("v", new Linear(dim, dim, qkvBias));
                break;
            case QkvLayout.FusedWithQvBias:
                qkv = register_module("qkv", new Linear(dim, 3 * dim, hasBias: false));
                if (qkvBias)
                {
                    q_bias = register_parameter("q_bias", torch.zeros([dim]));
                    v_bias = register_parameter("v_bias", torch.zeros([dim]));
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown qkv layout");
        }
        proj = register_module("proj", new Linear(dim, dim));
    }

    // x: [B, N, D] -> [B, N, D]
    public Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.size(0), n = x.size(1), hd = Dim / NumHeads;
        Tensor packed = Project(x);                                                  // [B, N, 3D]
        Tensor heads = packed.reshape(b, n, 3, NumHeads, hd).permute(2, 0, 3, 1, 4); // [3, B, H, N, d]
        Tensor attended = functional.scaled_dot_product_attention(heads[0], heads[1], heads[2]); // [B, H, N, d]
        Tensor merged = attended.transpose(1, 2).reshape(b, n, Dim);                // [B, N, D]
        return scope.MoveToOuter(proj.forward(merged));
    }

    // x: [B, N, D] -> [B, N, 3D] holding q | k | v
    private Tensor Project(Tensor x)
    {
        switch (Layout)
        {
            case QkvLayout.Split:
                return torch.cat([q!.forward(x), k!.forward(x), v!.forward(x)], -1);
            case QkvLayout.FusedWithQvBias when q_bias is not null:
                using (Tensor kBias = torch.zeros_like(q_bias))
                using (Tensor bias = torch.cat([q_bias, kBias, v_bias!], 0))        // [3D], k unbiased
                    return functional.linear(x, qkv!.weight, bias);
            default:
                return qkv!.forward(x);
        }
    }
}
