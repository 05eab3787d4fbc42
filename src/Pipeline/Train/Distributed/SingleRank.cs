using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Distributed;

namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>The group of one process: every collective is the identity.</summary>
public sealed class SingleRank : IRankGroup
{
    public static SingleRank Instance { get; } = new();

    public int Rank => 0;
    public int WorldSize => 1;
    public void AllReduceSum(IReadOnlyList<Tensor> tensors) { }
    public Tensor AllGatherWithGrad(Tensor local) => local.alias();
    public void Broadcast(Tensor tensor, int root) { }
    public void Barrier() { }
    public void Run(string operation, Action action) => action();
    public GradientReducer? CreateGradientReducer(IReadOnlyList<Tensor> parameters, long bucketBytes, long firstBucketBytes) => null;
    public IReadOnlyList<string> ExchangeStrings(string key, string value) => [value];
    public void Dispose() { }
}
