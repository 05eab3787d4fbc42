using Xunit;
using static CrossVideoMAE.Torch.torch;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>gather/scatter/index_select, sorting and reductions against PyTorch, values, indices and gradients.</summary>
public class IndexingReferenceTests
{
    [Fact]
    public void Gather_scatter_and_index_select_match_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(31);
        Tensor x = randn([4, 5], g, float64).requires_grad_();
        Tensor src = randn([4, 3], g, float64).requires_grad_();
        // Per row, 3 distinct columns (scatter with repeated indices has no defined winner).
        Tensor idx = stack([randperm(5, g)[..3], randperm(5, g)[..3], randperm(5, g)[..3], randperm(5, g)[..3]]);   // [4, 3]
        Tensor dup = randint(0, 5, [4, 3], g);                                                                    // repeats allowed
        Tensor rows = tensor(new long[] { 3, 0, 3, 1 });
        Tensor w = randn([4, 5], g, float64);

        Tensor gathered = x.gather(1, dup);                  // [4, 3]
        Tensor scattered = x.scatter(1, idx, src);           // [4, 5]
        Tensor added = x.scatter_add(1, dup, src);           // [4, 5]
        Tensor selected = x.index_select(0, rows);           // [4, 5]
        Tensor loss = (gathered * src).sum() + (scattered * w).sum() + (added * w * w).sum() + (selected * w).sum();
        loss.backward();

        using TensorSet expected = PyTorch.Run("""
            x, src = inp["x"].requires_grad_(), inp["src"].requires_grad_()
            idx, dup, rows, w = inp["idx"], inp["dup"], inp["rows"], inp["w"]
            gathered = torch.gather(x, 1, dup)
            scattered = torch.scatter(x, 1, idx, src)
            added = torch.scatter_add(x, 1, dup, src)
            selected = torch.index_select(x, 0, rows)
            ((gathered * src).sum() + (scattered * w).sum() + (added * w * w).sum() + (selected * w).sum()).backward()
            out.update(gathered=gathered.detach(), scattered=scattered.detach(), added=added.detach(),
                       selected=selected.detach(), x=x.grad, src=src.grad)
            """, new Dictionary<string, Tensor> { ["x"] = x, ["src"] = src, ["idx"] = idx, ["dup"] = dup, ["rows"] = rows, ["w"] = w });

        Close.Assert(expected["gathered"], gathered, "gather");
        Close.Assert(expected["scattered"], scattered, "scatter");
        Close.Assert(expected["added"], added, "scatter_add");
        Close.Assert(expected["selected"], selected, "index_select");
        Close.Assert(expected["x"], x.grad, "dL/dx");
        Close.Assert(expected["src"], src.grad, "dL/dsrc");
    }

    [Fact]
    public void Sort_argsort_and_topk_match_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(32);
        Tensor x = randn([3, 7], g, float64).requires_grad_();
        Tensor w = randn([3, 7], g, float64);

        var (sortedDesc, orderDesc) = x.sort(dim: 1, descending: true);
        var (sortedCols, orderCols) = x.sort(dim: 0, stable: true);
        Tensor argsorted = x.argsort(dim: 1);
        var (top, topIdx) = x.topk(3, dim: 1);
        var (bottom, bottomIdx) = x.topk(2, dim: 0, largest: false);
        ((sortedDesc * w).sum() + (top * top).sum() + bottom.sum() * 3).backward();

        using TensorSet expected = PyTorch.Run("""
            x, w = inp["x"].requires_grad_(), inp["w"]
            sorted_desc, order_desc = torch.sort(x, dim=1, descending=True)
            sorted_cols, order_cols = torch.sort(x, dim=0, stable=True)
            argsorted = torch.argsort(x, dim=1)
            top, top_idx = torch.topk(x, 3, dim=1)
            bottom, bottom_idx = torch.topk(x, 2, dim=0, largest=False)
            ((sorted_desc * w).sum() + (top * top).sum() + bottom.sum() * 3).backward()
            out.update(sorted_desc=sorted_desc.detach(), order_desc=order_desc, sorted_cols=sorted_cols.detach(),
                       order_cols=order_cols, argsorted=argsorted, top=top.detach(), top_idx=top_idx,
                       bottom=bottom.detach(), bottom_idx=bottom_idx, x=x.grad)
            """, new Dictionary<string, Tensor> { ["x"] = x, ["w"] = w });

        Close.Assert(expected["sorted_desc"], sortedDesc, "sort descending values");
        Close.Exact(expected["order_desc"], orderDesc, "sort descending indices");
        Close.Assert(expected["sorted_cols"], sortedCols, "stable sort values");
        Close.Exact(expected["order_cols"], orderCols, "stable sort indices");
        Close.Exact(expected["argsorted"], argsorted, "argsort");
        Close.Assert(expected["top"], top, "topk values");
        Close.Exact(expected["top_idx"], topIdx, "topk indices");
        Close.Assert(expected["bottom"], bottom, "smallest-k values");
        Close.Exact(expected["bottom_idx"], bottomIdx, "smallest-k indices");
        Close.Assert(expected["x"], x.grad, "dL/dx through sort and topk");
    }

    [Fact]
    public void Var_mean_and_std_match_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(33);
        Tensor x = randn([4, 5, 6], g, float64).requires_grad_();

        var results = new Dictionary<string, Tensor>
        {
            ["var_all"] = x.var(),
            ["var_12_keep"] = x.var([1, 2], keepdim: true),
            ["var_0_biased"] = x.var(0, unbiased: false),
            ["std_2"] = x.std([2]),
            ["mean_all"] = x.mean(),
            ["mean_02"] = x.mean([0, 2]),
            ["mean_1_keep"] = x.mean(1, keepdim: true),
        };
        Tensor loss = zeros([], float64);
        foreach (Tensor r in results.Values) loss = loss + (r * r).sum();
        loss.backward();

        using TensorSet expected = PyTorch.Run("""
            x = inp["x"].requires_grad_()
            r = {
                "var_all": x.var(),
                "var_12_keep": x.var(dim=(1, 2), keepdim=True),
                "var_0_biased": x.var(dim=0, unbiased=False),
                "std_2": x.std(dim=2),
                "mean_all": x.mean(),
                "mean_02": x.mean(dim=(0, 2)),
                "mean_1_keep": x.mean(dim=1, keepdim=True),
            }
            sum((v * v).sum() for v in r.values()).backward()
            out.update({n: v.detach() for n, v in r.items()})
            out["x"] = x.grad
            """, new Dictionary<string, Tensor> { ["x"] = x });

        foreach (var (name, r) in results) Close.Assert(expected[name], r, name);
        Close.Assert(expected["x"], x.grad, "dL/dx through var, std and mean");
    }
}
