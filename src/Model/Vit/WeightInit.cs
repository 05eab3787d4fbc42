using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Vit;

/// <summary>
/// The one place where weights get their initial values (MAE's initialize_weights): Linear and
/// patch-embedding weights xavier-uniform (a convolution as the matrix [out, in*k*k(*k)]), biases 0,
/// LayerNorm 1/0, class and mask tokens normal(0, 0.02), learned positional embeddings
/// trunc-normal(0.02), q/v biases 0. Fixed sin-cos tables are buffers and stay as built.
/// </summary>
public static class WeightInit
{
    public static void Apply(Module root, Generator generator)
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, m) in root.named_modules())
        {
            switch (m)
            {
                case Linear l:
                    XavierUniform(l.weight, generator);
                    l.bias?.zero_();
                    break;
                case LayerNorm n:
                    n.weight.fill_(1);
                    n.bias.zero_();
                    break;
                case Conv3d c:
                    XavierUniform(c.weight, generator);
                    c.bias?.zero_();
                    break;
                case Conv2d c:
                    XavierUniform(c.weight, generator);
                    c.bias?.zero_();
                    break;
            }
        }
        foreach (var (name, p) in root.named_parameters())
        {
            string leaf = name[(name.LastIndexOf('.') + 1)..];
            if (leaf is "cls_token" or "mask_token") p.normal_(0, 0.02, generator);
            else if (leaf.Contains("pos_embed")) p.trunc_normal_(0.02, generator: generator);
            else if (leaf is "q_bias" or "v_bias") p.zero_();
        }
    }

    /// <summary>U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), fan_out = shape[0], fan_in = numel / shape[0].</summary>
    public static void XavierUniform(Tensor w, Generator generator)
    {
        long fanOut = w.size(0), fanIn = w.numel() / fanOut;
        double a = Math.Sqrt(6.0 / (fanIn + fanOut));
        w.uniform_(-a, a, generator);
    }

    /// <summary>Normal(0, std) clamped to ±2, for classifier heads (MAE fine-tuning uses std 2e-5).</summary>
    public static void HeadInit(Linear head, double std, Generator generator)
    {
        using var noGrad = torch.no_grad();
        head.weight.trunc_normal_(std, generator: generator);
        head.bias?.zero_();
    }
}
