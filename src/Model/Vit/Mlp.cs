using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;
using static CrossVideoMAE.Torch.torch.nn;

namespace CrossVideoMAE.Model.Vit;

/// <summary>fc1 -> GELU (exact) -> fc2. Used in the blocks and as the embeddings g_u, g_f, e_u.</summary>
public sealed class Mlp : Module
{
    public Linear fc1 { get; }
    public Linear fc2 { get; }

    public Mlp(long inFeatures, long hiddenFeatures, long outFeatures)
    {
        fc1 = register_module("fc1", new Linear(inFeatures, hiddenFeatures));
        fc2 = register_module("fc2", new Linear(hiddenFeatures, outFeatures));
    }

    // x: [..., in] -> [..., out]
    public Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        Tensor h = functional.gelu(fc1.forward(x));   // [..., hidden]
        return scope.MoveToOuter(fc2.forward(h));
    }
}
