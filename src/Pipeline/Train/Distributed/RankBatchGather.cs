using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>The contrastive terms' view of the global batch through a rank group (<see cref="BatchGather"/>).</summary>
public sealed class RankBatchGather(IRankGroup group) : BatchGather
{
    public override int Rank => group.Rank;
    public override int WorldSize => group.WorldSize;
    public override Tensor Gather(Tensor local) => group.AllGatherWithGrad(local);
}
