using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;

namespace CrossVideoMAE.Model.Optimization;

/// <summary>
/// Splits trainable parameters into a weight-decay group and a no-decay group. No decay for 1-D
/// parameters (biases, norm weights, q/v biases), positional embeddings (names holding
/// <c>pos_embed</c>) and tokens (names holding <c>token</c>: cls_token, mask_token).
/// </summary>
public static class ParameterGroups
{
    public static bool NoWeightDecay(string name, Parameter p) =>
        p.dim() <= 1 || name.Contains("pos_embed", StringComparison.Ordinal) || name.Contains("token", StringComparison.Ordinal);

    /// <summary>[decay group (weight decay <paramref name="weightDecay"/>), no-decay group (0)]; frozen parameters are left out.</summary>
    public static List<ParamGroup> WeightDecaySplit(Module model, double lr, double weightDecay)
    {
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            (NoWeightDecay(name, p) ? noDecay : decay).Add(p);
        }
        var groups = new List<ParamGroup>();
        if (decay.Count > 0) groups.Add(new ParamGroup(decay, lr, weightDecay, "decay"));
        if (noDecay.Count > 0) groups.Add(new ParamGroup(noDecay, lr, 0.0, "no_decay"));
        return groups;
    }
}
