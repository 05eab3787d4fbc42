using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;
using static CrossVideoMAE.Torch.torch;
using F = CrossVideoMAE.Torch.torch.nn.functional;

namespace CrossVideoMAE.Bench;

/// <summary>One benchmarked training step (forward, MSE loss, backward, AdamW) with its model,
/// input and target. The same configuration is built in torch_bench.py.</summary>
internal sealed class Workload : IDisposable
{
    public string Name { get; }
    public Module Model { get; }
    private readonly Func<Tensor, Tensor> forward;
    private readonly Tensor input, target;
    private readonly AdamW optimizer;

    private Workload(string name, Module model, Func<Tensor, Tensor> forward, Tensor input, Tensor target)
    {
        Name = name;
        Model = model;
        this.forward = forward;
        this.input = input.DetachFromDisposeScope();
        this.target = target.DetachFromDisposeScope();
        optimizer = new AdamW(model.parameters(), lr: 1e-4, weightDecay: 0.05);
    }

    /// <summary>4 pre-norm ViT blocks, D=384, 6 heads, MLP 1536, 197 tokens, batch 8, fp32.</summary>
    public static Workload Vit(Generator g)
    {
        var model = new VitStack(384, 6, 1536, 4, g);
        return new Workload("vit", model, model.forward, randn([8, 197, 384], g), randn([8, 197, 384], g));
    }

    /// <summary>A 64-128-10 GELU MLP on a batch of 32: per-op overhead dominates.</summary>
    public static Workload SmallMlp(Generator g)
    {
        var model = new Mlp(64, 128, g, outDim: 10);
        return new Workload("mlp", model, model.forward, randn([32, 64], g), randn([32, 10], g));
    }

    /// <summary>Weights, input and target, for the Python side to start from the same values.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Tensors() =>
        Model.state_dict().Append(KeyValuePair.Create("input", input)).Append(KeyValuePair.Create("target", target));

    /// <summary>One training step; returns the loss.</summary>
    public double Step()
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        Tensor loss = F.mse_loss(forward(input), target);
        loss.backward();
        optimizer.step();
        return loss.item();
    }

    public void Dispose()
    {
        optimizer.Dispose();
        Model.Dispose();
        input.Dispose();
        target.Dispose();
    }
}
