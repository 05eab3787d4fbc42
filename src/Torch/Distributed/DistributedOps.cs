using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch.Distributed;

/// <summary>Collectives that take part in autograd.</summary>
public static class DistributedOps
{
    /// <summary>
    /// Forward: all-gathers [B, D] from every rank -> [world*B, D] in rank order (this rank's rows
    /// are <paramref name="local"/> itself). Backward: the gradient of the whole output is summed
    /// over ranks (an all-reduce) and each rank receives the slice of its own rows, so a rank's
    /// embeddings get the gradient of every rank's loss, as SimCLR and MoCo v3 gather under DDP.
    /// With DDP's gradient averaging (divide by world) the parameters' gradient then equals that
    /// of the mean of the ranks' losses. Every rank must run backward through its output.
    /// </summary>
    public static Tensor AllGatherWithGrad(ProcessGroup pg, Tensor local) =>
        Tensor.Wrap(LibTorch.cvm_pg_allgather_with_grad(pg.Handle, local.Handle));
}
