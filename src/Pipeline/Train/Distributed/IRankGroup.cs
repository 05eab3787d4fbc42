using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Distributed;

namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>
/// The collectives a data-parallel training run needs from its group of ranks. Every rank calls the
/// same operations in the same order with tensors of the same shapes. <see cref="SingleRank"/> is the
/// one-process group (every operation is the identity); <see cref="C10dRankGroup"/> runs them over
/// libtorch's c10d (Gloo on CPU, NCCL on CUDA).
/// </summary>
public interface IRankGroup : IDisposable
{
    int Rank { get; }
    int WorldSize { get; }

    /// <summary>Sums each tensor over the ranks, in place (one coalesced operation for the list).</summary>
    void AllReduceSum(IReadOnlyList<Tensor> tensors);

    /// <summary>local [n, ...] -> [WorldSize * n, ...] (rank 0's rows first); the backward pass sums the
    /// gradient of each rank's rows over the ranks and hands it to that rank's <paramref name="local"/>.</summary>
    Tensor AllGatherWithGrad(Tensor local);

    /// <summary>Overwrites <paramref name="tensor"/> on every rank with rank <paramref name="root"/>'s.</summary>
    void Broadcast(Tensor tensor, int root);

    /// <summary>Waits until every rank has called it.</summary>
    void Barrier();

    /// <summary>Runs <paramref name="action"/>, which holds collectives of its own (a backward pass through
    /// <see cref="AllGatherWithGrad"/> all-reduces): a failed collective becomes the same error, naming the
    /// ranks, as a failed call of this group.</summary>
    void Run(string operation, Action action);

    /// <summary>A reducer that averages the gradients of <paramref name="parameters"/> over the ranks during
    /// an armed backward pass (<see cref="GradientReducer"/>), on a process group of its own; null with one rank.
    /// Every rank must call it at the same point (the first call may create that group).</summary>
    GradientReducer? CreateGradientReducer(IReadOnlyList<Tensor> parameters, long bucketBytes, long firstBucketBytes);

    /// <summary>Publishes this rank's <paramref name="value"/> under <paramref name="key"/> and returns every
    /// rank's value, in rank order (through the rendezvous store).</summary>
    IReadOnlyList<string> ExchangeStrings(string key, string value);
}
