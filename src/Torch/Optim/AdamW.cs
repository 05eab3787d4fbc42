using CrossVideoMAE.Torch.Native;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Torch.Optim;

/// <summary>AdamW with decoupled weight decay (torch.optim.AdamW, amsgrad off). The moment
/// buffers live here; the arithmetic runs natively, one call per group.</summary>
public sealed class AdamW : Optimizer
{
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }

    private readonly Tensor[][] expAvg;
    private readonly Tensor[][] expAvgSq;
    private readonly long[][] steps;

    public AdamW(IReadOnlyList<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) : base(groups)
    {
        Beta1 = beta1; Beta2 = beta2; Eps = eps;
        expAvg = groups.Select(g => g.Parameters.Select(ZerosLike).ToArray()).ToArray();
        expAvgSq = groups.Select(g => g.Parameters.Select(ZerosLike).ToArray()).ToArray();
        steps = groups.Select(g => new long[g.Parameters.Count]).ToArray();
    }

    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double weightDecay = 0.01, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
        : this([new ParamGroup(parameters.ToList(), lr, weightDecay)], beta1, beta2, eps) { }

    private static Tensor ZerosLike(Parameter p) => torch.zeros(p.shape, p.dtype, p.device).DetachFromDisposeScope();

    /// <summary>Steps taken by the first parameter (all parameters step together in practice).</summary>
    public long StepCount => steps[0].Length > 0 ? steps[0].Max() : 0;

    public override unsafe void step()
    {
        for (int gi = 0; gi < ParamGroups.Count; gi++)
        {
            ParamGroup g = ParamGroups[gi];
            IntPtr[] p = Handles(g.Parameters), m = Handles(expAvg[gi]), v = Handles(expAvgSq[gi]);
            fixed (IntPtr* pp = p) fixed (IntPtr* pm = m) fixed (IntPtr* pv = v) fixed (long* ps = steps[gi])
                Check.Status(LibTorch.cvm_adamw_step(pp, pm, pv, ps, p.Length, g.Lr, Beta1, Beta2, Eps, g.WeightDecay));
        }
    }

    public override Dictionary<string, Tensor> state_tensors()
    {
        var d = new Dictionary<string, Tensor>();
        for (int gi = 0; gi < ParamGroups.Count; gi++)
            for (int i = 0; i < expAvg[gi].Length; i++)
            {
                d[$"{gi}.{i}.exp_avg"] = expAvg[gi][i].alias().DetachFromDisposeScope();
                d[$"{gi}.{i}.exp_avg_sq"] = expAvgSq[gi][i].alias().DetachFromDisposeScope();
                d[$"{gi}.{i}.step"] = torch.tensor(new[] { steps[gi][i] }, 1).DetachFromDisposeScope();
            }
        return d;
    }

    public override void load_state_tensors(IReadOnlyDictionary<string, Tensor> state)
    {
        using var _ = torch.no_grad();
        for (int gi = 0; gi < ParamGroups.Count; gi++)
            for (int i = 0; i < expAvg[gi].Length; i++)
            {
                expAvg[gi][i].copy_(Get(state, $"{gi}.{i}.exp_avg"));
                expAvgSq[gi][i].copy_(Get(state, $"{gi}.{i}.exp_avg_sq"));
                steps[gi][i] = Get(state, $"{gi}.{i}.step").item_long();
            }
    }

    private static Tensor Get(IReadOnlyDictionary<string, Tensor> s, string key) =>
        s.TryGetValue(key, out Tensor? t) ? t : throw new InvalidDataException($"optimiser state lacks '{key}'");

    public override void Dispose()
    {
        foreach (Tensor t in expAvg.SelectMany(x => x).Concat(expAvgSq.SelectMany(x => x))) t.Dispose();
    }
}
