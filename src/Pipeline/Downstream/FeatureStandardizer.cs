using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// Per-dimension standardisation of frozen features with the train split's statistics, the linear
/// probe's BatchNorm without affine parameters (MAE's protocol): pre-trained features differ in scale
/// across dimensions by orders of magnitude, which a LayerNorm over each row does not undo. With the
/// features fixed, the BatchNorm's statistics are exactly the train split's mean and biased variance.
/// </summary>
public sealed class FeatureStandardizer : IDisposable
{
    public const double Eps = 1e-6;

    private readonly Tensor mean;     // [D]
    private readonly Tensor invStd;   // [D]

    private FeatureStandardizer(Tensor mean, Tensor invStd)
    {
        this.mean = mean;
        this.invStd = invStd;
    }

    /// <summary>Statistics of the train features [N, D] (N >= 1).</summary>
    public static FeatureStandardizer Fit(Tensor train)
    {
        if (train.dim() != 2 || train.size(0) < 1) throw new ArgumentException($"features must be [N, D] with N >= 1, got [{string.Join(", ", train.shape)}]");
        using var scope = torch.NewDisposeScope();
        Tensor x = train.to(ScalarType.Float32);                               // [N, D]
        Tensor mean = x.mean([0]);                                             // [D]
        Tensor invStd = (x.var([0], unbiased: false) + Eps).rsqrt();           // [D]
        return new FeatureStandardizer(scope.MoveToOuter(mean).DetachFromDisposeScope(), scope.MoveToOuter(invStd).DetachFromDisposeScope());
    }

    /// <summary>(x - mean) / sqrt(var + eps) for features [M, D] -> [M, D].</summary>
    public Tensor Apply(Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = features.to(ScalarType.Float32);
        return scope.MoveToOuter((x - mean) * invStd);
    }

    public void Dispose()
    {
        mean.Dispose();
        invStd.Dispose();
    }
}
