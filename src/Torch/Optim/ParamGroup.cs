using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Torch.Optim;

/// <summary>Parameters that share a learning rate and weight decay. <see cref="LrScale"/>
/// multiplies the scheduled lr (layer-wise lr decay); <see cref="Lr"/> is what the next step uses.</summary>
public sealed class ParamGroup(IReadOnlyList<Parameter> parameters, double lr, double weightDecay, string name = "")
{
    public string Name { get; } = name;
    public IReadOnlyList<Parameter> Parameters { get; } = parameters;
    public double Lr { get; set; } = lr;
    public double WeightDecay { get; set; } = weightDecay;
    public double LrScale { get; set; } = 1.0;
}
