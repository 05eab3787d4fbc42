using Xunit;
using static CrossVideoMAE.Torch.torch;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>Tests that draw from libtorch's default generator run alone, after the parallel ones,
/// so no other test draws from it in between.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultGeneratorCollection
{
    public const string Name = "default generator";
}

/// <summary>Seeded generators give PyTorch's exact values (same libtorch, same algorithms).</summary>
public class RandomReferenceTests
{
    [Fact]
    public void A_seeded_generator_draws_what_torch_Generator_manual_seed_draws()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(1234);
        var drawn = new Dictionary<string, Tensor>
        {
            ["rand"] = rand([5, 4], g),
            ["randn"] = randn([7], g),
            ["rand64"] = rand([3, 2], g, float64),
            ["randn64"] = randn([2, 3], g, float64),
            ["randint"] = randint(-3, 10, [9], g),
            ["randperm"] = randperm(12, g),
            ["uniform"] = empty([6]).uniform_(-2, 5, g),
            ["normal"] = empty([6], float64).normal_(1.5, 0.25, g),
            ["randn_long"] = randn([40], g),      // 16 and more values take the vectorised path
        };
        g.manual_seed(99);
        drawn["reseeded"] = rand([4], g);

        using TensorSet expected = PyTorch.Run("""
            g = torch.Generator().manual_seed(1234)
            out["rand"] = torch.rand(5, 4, generator=g)
            out["randn"] = torch.randn(7, generator=g)
            out["rand64"] = torch.rand(3, 2, generator=g, dtype=torch.float64)
            out["randn64"] = torch.randn(2, 3, generator=g, dtype=torch.float64)
            out["randint"] = torch.randint(-3, 10, (9,), generator=g)
            out["randperm"] = torch.randperm(12, generator=g)
            out["uniform"] = torch.empty(6).uniform_(-2, 5, generator=g)
            out["normal"] = torch.empty(6, dtype=torch.float64).normal_(1.5, 0.25, generator=g)
            out["randn_long"] = torch.randn(40, generator=g)
            g.manual_seed(99)
            out["reseeded"] = torch.rand(4, generator=g)
            """);

        foreach (var (name, t) in drawn) Close.Exact(expected[name], t, name);
    }

    [Fact]
    public void Saved_generator_state_replays_the_sequence_here_and_in_pytorch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        using Tensor _ = randn([3], g);           // move away from the seed's start
        Tensor state = g.get_state();
        Tensor first = rand([6], g);
        Tensor second = randn([4], g);
        g.set_state(state);
        Close.Exact(first, rand([6], g), "rand after restoring the state");
        Close.Exact(second, randn([4], g), "randn after restoring the state");

        // The state is PyTorch's own: a torch.Generator set to it continues identically.
        using TensorSet expected = PyTorch.Run("""
            g = torch.Generator()
            g.set_state(inp["state"])
            out["first"] = torch.rand(6, generator=g)
            out["second"] = torch.randn(4, generator=g)
            """, new Dictionary<string, Tensor> { ["state"] = state });
        Close.Exact(expected["first"], first, "rand from the state in PyTorch");
        Close.Exact(expected["second"], second, "randn from the state in PyTorch");
    }
}

/// <summary>torch.manual_seed and the draws that use the default generator.</summary>
[Collection(DefaultGeneratorCollection.Name)]
public class DefaultGeneratorReferenceTests
{
    [Fact]
    public void Manual_seed_and_trunc_normal_match_pytorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(2024);
        Tensor r = rand([5]);
        Tensor tn = empty([2000], float64).trunc_normal_(std: 1.0, lo: -0.5, hi: 1.5, mean: 0.25);
        Tensor vit = empty([300]).trunc_normal_(0.02);
        Tensor dropped = nn.functional.dropout(ones([50], float64), 0.3);

        using TensorSet expected = PyTorch.Run("""
            torch.manual_seed(2024)
            out["r"] = torch.rand(5)
            out["tn"] = torch.nn.init.trunc_normal_(torch.empty(2000, dtype=torch.float64), mean=0.25, std=1.0, a=-0.5, b=1.5)
            out["vit"] = torch.nn.init.trunc_normal_(torch.empty(300), std=0.02)
            out["dropped"] = F.dropout(torch.ones(50, dtype=torch.float64), 0.3)
            """);

        Close.Exact(expected["r"], r, "rand after manual_seed");
        Close.Assert(expected["tn"], tn, "trunc_normal_ on [-0.5, 1.5]", atol: 1e-12, rtol: 1e-12);
        Close.Assert(expected["vit"], vit, "trunc_normal_(std=0.02)", atol: 1e-7, rtol: 1e-6);
        Close.Exact(expected["dropped"], dropped, "dropout mask and scale");
        double[] v = Close.Values(tn);
        Assert.All(v, x => Assert.InRange(x, -0.5, 1.5));
    }
}
