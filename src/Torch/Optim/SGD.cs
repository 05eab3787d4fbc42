using CrossVideoMAE.Torch.Native;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Torch.Optim;

/// <summary>SGD with momentum, dampening, weight decay and Nesterov (torch.optim.SGD).</summary>
public sealed class SGD : Optimizer
{
    public double Momentum { get; }
    public double Dampening { get; }
    public bool Nesterov { get; }

    // Momentum buffers; IntPtr.Zero until the first step creates them natively.
    private readonly IntPtr[][] buffers;

    public SGD(IReadOnlyList<ParamGroup> groups, double momentum = 0, double dampening = 0, bool nesterov = false) : base(groups)
    {
        Momentum = momentum; Dampening = dampening; Nesterov = nesterov;
        buffers = groups.Select(g => new IntPtr[g.Parameters.Count]).ToArray();
    }

    public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double weightDecay = 0, double dampening = 0, bool nesterov = false)
        : this([new ParamGroup(parameters.ToList(), lr, weightDecay)], momentum, dampening, nesterov) { }

    public override unsafe void step()
    {
        for (int gi = 0; gi < ParamGroups.Count; gi++)
        {
            ParamGroup g = ParamGroups[gi];
            IntPtr[] p = Handles(g.Parameters);
            fixed (IntPtr* pp = p) fixed (IntPtr* pb = buffers[gi])
                Check.Status(LibTorch.cvm_sgd_step(pp, pb, p.Length, g.Lr, Momentum, Dampening, g.WeightDecay, Nesterov));
        }
    }

    public override Dictionary<string, Tensor> state_tensors()
    {
        var d = new Dictionary<string, Tensor>();
        for (int gi = 0; gi < buffers.Length; gi++)
            for (int i = 0; i < buffers[gi].Length; i++)
                if (buffers[gi][i] != IntPtr.Zero)
                    d[$"{gi}.{i}.momentum_buffer"] = Tensor.Wrap(LibTorch.cvm_alias(buffers[gi][i])).DetachFromDisposeScope();
        return d;
    }

    public override void load_state_tensors(IReadOnlyDictionary<string, Tensor> state)
    {
        for (int gi = 0; gi < buffers.Length; gi++)
            for (int i = 0; i < buffers[gi].Length; i++)
                if (state.TryGetValue($"{gi}.{i}.momentum_buffer", out Tensor? t))
                {
                    if (buffers[gi][i] != IntPtr.Zero) LibTorch.cvm_tensor_free(buffers[gi][i]);
                    buffers[gi][i] = Check.Handle(LibTorch.cvm_clone(t.Handle));
                }
    }

    public override void Dispose()
    {
        foreach (IntPtr[] row in buffers)
            for (int i = 0; i < row.Length; i++)
                if (row[i] != IntPtr.Zero) { LibTorch.cvm_tensor_free(row[i]); row[i] = IntPtr.Zero; }
    }
}
