using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Vit;

/// <summary>Stochastic depth: in training, zeroes a residual branch for a whole sample with
/// probability p and scales the survivors by 1/(1-p). Identity in eval mode or at p = 0.</summary>
public sealed class DropPath(double p) : Module
{
    public double P { get; } = p is >= 0 and < 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "drop path rate must be in [0, 1)");

    // x: [B, ...] -> same shape
    public Tensor forward(Tensor x)
    {
        if (P == 0 || !training) return x.alias();
        using var scope = torch.NewDisposeScope();
        long[] shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.size(0);
        Tensor keep = (torch.rand(shape, dtype: x.dtype, device: x.device) + (1 - P)).floor();   // [B, 1, ...] of 0/1
        return scope.MoveToOuter(x / (1 - P) * keep);
    }
}
