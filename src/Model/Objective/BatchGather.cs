using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Objective;

/// <summary>
/// How the contrastive terms see the global batch when data-parallel ranks each hold a share of it:
/// <see cref="Gather"/> joins every rank's [n, E] rows into [W*n, E] (rank 0's first) with gradients
/// flowing back to each rank's own rows, summed over the ranks that used them (SimCLR / MoCo v3 under
/// DDP); this rank's rows start at <see cref="Rank"/> x n. Each rank's loss is the mean over its own
/// anchors against the gathered batch, so the mean over ranks is the one-process loss over the global
/// batch, and with the gradients averaged across ranks the parameter gradient is the one-process one.
/// </summary>
public abstract class BatchGather
{
    public abstract int Rank { get; }
    public abstract int WorldSize { get; }

    /// <summary>local [n, E] -> [WorldSize * n, E]; every rank must call it with the same n, in the same order.</summary>
    public abstract Tensor Gather(Tensor local);
}
