using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;
using Xunit;
using static CrossVideoMAE.Torch.torch;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>Optimiser steps and gradient clipping against torch.optim and torch.nn.utils (float64).</summary>
public class OptimizerReferenceTests
{
    // The same loss on both sides: L = sum(tanh(a v + b)^2) + sum(c sin(c)).
    private const string PythonLoss = """
        def loss_of(a, b, c, v):
            return (torch.tanh(a @ v + b) ** 2).sum() + (c * torch.sin(c)).sum()

        """;

    private static Tensor Loss(Tensor a, Tensor b, Tensor c, Tensor v) =>
        (a.matmul(v) + b).tanh().pow(2).sum() + (c * c.sin()).sum();

    private static (Parameter a, Parameter b, Parameter c, Tensor v) Problem(ulong seed)
    {
        using var g = new Generator(seed);
        return (new Parameter(randn([4, 3], g, float64)), new Parameter(randn([4], g, float64)),
                new Parameter(randn([5], g, float64)), randn([3], g, float64));
    }

    [Fact]
    public void AdamW_with_two_groups_and_a_changing_lr_matches_torch_optim()
    {
        using var scope = NewDisposeScope();
        var (a, b, c, v) = Problem(41);
        using TensorSet start = Copies(a, b, c);
        var groups = new[] { new ParamGroup([a, b], lr: 1e-2, weightDecay: 0.05), new ParamGroup([c], lr: 3e-2, weightDecay: 0.0) };
        using var opt = new AdamW(groups, beta1: 0.8, beta2: 0.95, eps: 1e-7);
        for (int step = 0; step < 6; step++)
        {
            using var stepScope = NewDisposeScope();
            groups[0].Lr = 1e-2 * (step + 1) / 6.0;     // warm-up, as a scheduler would set it
            opt.zero_grad();
            Loss(a, b, c, v).backward();
            opt.step();
        }
        Dictionary<string, Tensor> state = opt.state_tensors();

        using TensorSet expected = PyTorch.Run(PythonLoss + """
            a, b, c = (torch.nn.Parameter(inp[n].clone()) for n in "abc")
            opt = torch.optim.AdamW([{"params": [a, b], "lr": 1e-2, "weight_decay": 0.05},
                                     {"params": [c], "lr": 3e-2, "weight_decay": 0.0}], betas=(0.8, 0.95), eps=1e-7)
            for step in range(6):
                opt.param_groups[0]["lr"] = 1e-2 * (step + 1) / 6.0
                opt.zero_grad()
                loss_of(a, b, c, inp["v"]).backward()
                opt.step()
            out.update(a=a.detach(), b=b.detach(), c=c.detach(),
                       a_exp_avg=opt.state[a]["exp_avg"], a_exp_avg_sq=opt.state[a]["exp_avg_sq"],
                       c_exp_avg=opt.state[c]["exp_avg"])
            """, new Dictionary<string, Tensor> { ["a"] = start["a"], ["b"] = start["b"], ["c"] = start["c"], ["v"] = v });

        Close.Assert(expected["a"], a, "a after 6 steps");
        Close.Assert(expected["b"], b, "b after 6 steps");
        Close.Assert(expected["c"], c, "c after 6 steps (second group)");
        Close.Assert(expected["a_exp_avg"], state["0.0.exp_avg"], "exp_avg of a");
        Close.Assert(expected["a_exp_avg_sq"], state["0.0.exp_avg_sq"], "exp_avg_sq of a");
        Close.Assert(expected["c_exp_avg"], state["1.0.exp_avg"], "exp_avg of c");
        Assert.Equal(6, state["1.0.step"].item_long());
        DisposeState(state);
        a.Dispose(); b.Dispose(); c.Dispose();
    }

    [Fact]
    public void SGD_with_momentum_dampening_and_nesterov_matches_torch_optim()
    {
        using var scope = NewDisposeScope();
        var (a, b, c, v) = Problem(42);
        var (a2, b2, c2, _) = Problem(42);
        using TensorSet start = Copies(a, b, c);
        using var nesterov = new SGD([new ParamGroup([a, b], lr: 0.05, weightDecay: 1e-3), new ParamGroup([c], lr: 0.02, weightDecay: 0)],
            momentum: 0.9, nesterov: true);
        using var damped = new SGD([a2, b2, c2], lr: 0.03, momentum: 0.7, weightDecay: 0.01, dampening: 0.1);
        for (int step = 0; step < 5; step++)
        {
            using var stepScope = NewDisposeScope();
            nesterov.zero_grad();
            Loss(a, b, c, v).backward();
            nesterov.step();
            damped.zero_grad();
            Loss(a2, b2, c2, v).backward();
            damped.step();
        }

        using TensorSet expected = PyTorch.Run(PythonLoss + """
            def run(make):
                a, b, c = (torch.nn.Parameter(inp[n].clone()) for n in "abc")
                opt = make(a, b, c)
                for _ in range(5):
                    opt.zero_grad()
                    loss_of(a, b, c, inp["v"]).backward()
                    opt.step()
                return a.detach(), b.detach(), c.detach()
            out["a"], out["b"], out["c"] = run(lambda a, b, c: torch.optim.SGD(
                [{"params": [a, b], "lr": 0.05, "weight_decay": 1e-3}, {"params": [c], "lr": 0.02}], lr=0.05, momentum=0.9, nesterov=True))
            out["a2"], out["b2"], out["c2"] = run(lambda a, b, c: torch.optim.SGD(
                [a, b, c], lr=0.03, momentum=0.7, weight_decay=0.01, dampening=0.1))
            """, new Dictionary<string, Tensor> { ["a"] = start["a"], ["b"] = start["b"], ["c"] = start["c"], ["v"] = v });

        Close.Assert(expected["a"], a, "nesterov: a");
        Close.Assert(expected["b"], b, "nesterov: b");
        Close.Assert(expected["c"], c, "nesterov: c (second group)");
        Close.Assert(expected["a2"], a2, "dampened momentum: a");
        Close.Assert(expected["b2"], b2, "dampened momentum: b");
        Close.Assert(expected["c2"], c2, "dampened momentum: c");
        foreach (Parameter p in new[] { a, b, c, a2, b2, c2 }) p.Dispose();
    }

    [Fact]
    public void Clip_grad_norm_matches_torch_nn_utils()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(43);
        Tensor g1 = randn([3, 4], g, float64), g2 = randn([5], g, float64);
        var results = new Dictionary<string, Tensor>();
        var norms = new Dictionary<string, double>();
        foreach (var (name, maxNorm, normType) in new[] { ("l2", 0.5, 2.0), ("inf", 0.3, double.PositiveInfinity), ("loose", 100.0, 2.0) })
        {
            var p1 = new Parameter(zeros([3, 4], float64));
            var p2 = new Parameter(zeros([5], float64));
            var unused = new Parameter(zeros([2], float64));     // no gradient: ignored, as in PyTorch
            p1.grad = g1.clone();
            p2.grad = g2.clone();
            norms[name] = GradClip.clip_grad_norm_([p1, unused, p2], maxNorm, normType);
            results[name + "_g1"] = p1.grad!;
            results[name + "_g2"] = p2.grad!;
            Assert.Null(unused.grad);
            p1.Dispose(); p2.Dispose(); unused.Dispose();
        }

        using TensorSet expected = PyTorch.Run("""
            for name, max_norm, norm_type in (("l2", 0.5, 2.0), ("inf", 0.3, float("inf")), ("loose", 100.0, 2.0)):
                p1, p2 = torch.nn.Parameter(torch.zeros(3, 4, dtype=torch.float64)), torch.nn.Parameter(torch.zeros(5, dtype=torch.float64))
                p1.grad, p2.grad = inp["g1"].clone(), inp["g2"].clone()
                out[name + "_norm"] = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm, norm_type).reshape(1)
                out[name + "_g1"], out[name + "_g2"] = p1.grad, p2.grad
            """, new Dictionary<string, Tensor> { ["g1"] = g1, ["g2"] = g2 });

        foreach (string name in new[] { "l2", "inf", "loose" })
        {
            Assert.Equal(expected[name + "_norm"].item(), norms[name], 12);
            Close.Assert(expected[name + "_g1"], results[name + "_g1"], name + ": first gradient after clipping");
            Close.Assert(expected[name + "_g2"], results[name + "_g2"], name + ": second gradient after clipping");
        }
        Close.Assert(g1, results["loose_g1"], "a norm under the limit leaves gradients alone");
    }

    private static TensorSet Copies(params Tensor[] ts) =>
        new(new Dictionary<string, Tensor> { ["a"] = ts[0].detach().clone().DetachFromDisposeScope(), ["b"] = ts[1].detach().clone().DetachFromDisposeScope(), ["c"] = ts[2].detach().clone().DetachFromDisposeScope() });

    // state_tensors() hands out new handles, which the caller owns.
    private static void DisposeState(Dictionary<string, Tensor> state)
    {
        foreach (Tensor t in state.Values) t.Dispose();
    }
}
