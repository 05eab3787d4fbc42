using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Heads;

/// <summary>The fine-tuning head: pooled features -> LayerNorm (<c>norm</c>, eps 1e-6) -> dropout -> Linear (<c>fc</c>).</summary>
public sealed class ClassificationHead : Module
{
    public LayerNorm norm { get; }
    public Dropout drop { get; }
    public Linear fc { get; }

    public ClassificationHead(long dim, int numClasses, double dropout)
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "a classifier needs at least one class");
        norm = register_module("norm", new LayerNorm(dim, ModelConfig.LayerNormEps));
        drop = register_module("drop", new Dropout(dropout));
        fc = register_module("fc", new Linear(dim, numClasses));
    }

    // pooled: [B, D] -> logits [B, K]
    public Tensor forward(Tensor pooled)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(fc.forward(drop.forward(norm.forward(pooled))));
    }
}
