using CrossVideoMAE.Torch.Native;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Torch.Optim;

/// <summary>Base of the optimisers: parameter groups, zero_grad, and named state tensors for checkpoints.</summary>
public abstract class Optimizer : IDisposable
{
    public IReadOnlyList<ParamGroup> ParamGroups { get; }

    protected Optimizer(IReadOnlyList<ParamGroup> groups)
    {
        if (groups.Count == 0) throw new ArgumentException("an optimiser needs at least one parameter group");
        ParamGroups = groups;
    }

    public abstract void step();

    public unsafe void zero_grad()
    {
        foreach (ParamGroup g in ParamGroups)
        {
            IntPtr[] h = Handles(g.Parameters);
            fixed (IntPtr* p = h) LibTorch.cvm_zero_grad(p, h.Length);
        }
    }

    /// <summary>State tensors by name ("{group}.{index}.{kind}") plus scalars, for checkpoints. Every
    /// entry is a new handle (sharing the optimiser's storage where one exists): the caller disposes them.</summary>
    public abstract Dictionary<string, Tensor> state_tensors();

    /// <summary>Restores what <see cref="state_tensors"/> produced.</summary>
    public abstract void load_state_tensors(IReadOnlyDictionary<string, Tensor> state);

    internal static IntPtr[] Handles(IReadOnlyList<Tensor> ts)
    {
        var h = new IntPtr[ts.Count];
        for (int i = 0; i < h.Length; i++) h[i] = ts[i].Handle;
        return h;
    }

    public abstract void Dispose();

    /// <summary>Global gradient-norm clipping over all groups; returns the norm before clipping.</summary>
    public unsafe double clip_grad_norm(double maxNorm, double normType = 2.0)
    {
        IntPtr[] h = Handles(ParamGroups.SelectMany(g => g.Parameters).ToList());
        double total;
        fixed (IntPtr* p = h) Check.Status(LibTorch.cvm_clip_grad_norm(p, h.Length, maxNorm, normType, &total));
        return total;
    }
}

public static class GradClip
{
    /// <summary>torch.nn.utils.clip_grad_norm_: returns the total norm before clipping.</summary>
    public static unsafe double clip_grad_norm_(IEnumerable<Parameter> parameters, double maxNorm, double normType = 2.0)
    {
        IntPtr[] h = Optimizer.Handles(parameters.ToList());
        double total;
        fixed (IntPtr* p = h) Check.Status(LibTorch.cvm_clip_grad_norm(p, h.Length, maxNorm, normType, &total));
        return total;
    }
}
