using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;
using F = CrossVideoMAE.Torch.torch.nn.functional;

namespace CrossVideoMAE.Bench;

/// <summary>Multi-head self-attention with a fused qkv projection.</summary>
internal sealed class Attention : Module
{
    private readonly long heads;
    private readonly Linear qkv, proj;

    public Attention(long dim, long heads, Generator g)
    {
        this.heads = heads;
        qkv = register_module("qkv", new Linear(dim, 3 * dim, generator: g));
        proj = register_module("proj", new Linear(dim, dim, generator: g));
    }

    // x: [B, N, D] -> [B, N, D]
    public Tensor forward(Tensor x)
    {
        long b = x.size(0), n = x.size(1), d = x.size(2);
        Tensor[] qkvParts = qkv.forward(x).reshape(b, n, 3, heads, d / heads).permute(2, 0, 3, 1, 4).unbind(0);   // 3 x [B, H, N, d/H]
        Tensor o = F.scaled_dot_product_attention(qkvParts[0], qkvParts[1], qkvParts[2]);                           // [B, H, N, d/H]
        return proj.forward(o.transpose(1, 2).reshape(b, n, d));
    }
}

/// <summary>Two-layer GELU MLP (output width = input width unless given).</summary>
internal sealed class Mlp : Module
{
    private readonly Linear fc1, fc2;

    public Mlp(long dim, long hidden, Generator g, long outDim = -1)
    {
        fc1 = register_module("fc1", new Linear(dim, hidden, generator: g));
        fc2 = register_module("fc2", new Linear(hidden, outDim < 0 ? dim : outDim, generator: g));
    }

    // [B, N, D] -> [B, N, D]
    public Tensor forward(Tensor x) => fc2.forward(F.gelu(fc1.forward(x)));
}

/// <summary>Pre-norm transformer block: x + attn(norm1(x)), then x + mlp(norm2(x)).</summary>
internal sealed class Block : Module
{
    private readonly LayerNorm norm1, norm2;
    private readonly Attention attn;
    private readonly Mlp mlp;

    public Block(long dim, long heads, long hidden, Generator g)
    {
        norm1 = register_module("norm1", new LayerNorm(dim, 1e-6));
        attn = register_module("attn", new Attention(dim, heads, g));
        norm2 = register_module("norm2", new LayerNorm(dim, 1e-6));
        mlp = register_module("mlp", new Mlp(dim, hidden, g));
    }

    // [B, N, D] -> [B, N, D]
    public Tensor forward(Tensor x)
    {
        Tensor h = x + attn.forward(norm1.forward(x));
        return h + mlp.forward(norm2.forward(h));
    }
}

/// <summary>The benchmarked stack of ViT blocks.</summary>
internal sealed class VitStack : Module
{
    private readonly ModuleList<Block> blocks;

    public VitStack(long dim, long heads, long hidden, int depth, Generator g) =>
        blocks = register_module("blocks", new ModuleList<Block>(Enumerable.Range(0, depth).Select(_ => new Block(dim, heads, hidden, g))));

    // [B, N, D] -> [B, N, D]
    public Tensor forward(Tensor x)
    {
        foreach (Block b in blocks) x = b.forward(x);
        return x;
    }
}
