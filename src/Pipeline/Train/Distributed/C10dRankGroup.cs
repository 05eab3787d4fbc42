using System.Globalization;
using System.Text;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Distributed;

namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>
/// A rank of a data-parallel group over libtorch's c10d: rank 0 serves the <see cref="TcpStore"/> on
/// MASTER_ADDR:MASTER_PORT, every rank joins one process group (Gloo for CPU tensors, NCCL for CUDA).
/// A collective that fails (a peer died: its sockets close and the call throws at once; or a peer did
/// not arrive within the timeout) becomes an <see cref="InvalidOperationException"/> that names this
/// rank, the operation and, with two ranks, the peer that stopped.
/// Timeout: <c>CVMAE_DIST_TIMEOUT_S</c> seconds (default 300) for the rendezvous and every collective.
/// Gradient reducers (<see cref="CreateGradientReducer"/>) run on a second process group, created with the
/// first of them: their all-reduces are issued from the backward pass, as is the all-gather's, and on one
/// group the two would interleave in whatever order each rank's graph runs them; on two groups each keeps
/// its own order, and the all-gather's backward, which the rest of backward waits for, does not queue
/// behind gradient buckets.
/// </summary>
public sealed class C10dRankGroup : IRankGroup
{
    private readonly TcpStore store;
    private readonly ProcessGroup group;
    private readonly TimeSpan timeout;
    private ProcessGroup? gradientGroup;

    private C10dRankGroup(TcpStore store, ProcessGroup group, TimeSpan timeout)
    {
        this.store = store;
        this.group = group;
        this.timeout = timeout;
    }

    public int Rank => group.Rank;
    public int WorldSize => group.WorldSize;
    public string Backend => group.Backend;

    public static TimeSpan Timeout()
    {
        string? text = Environment.GetEnvironmentVariable("CVMAE_DIST_TIMEOUT_S");
        if (text is null) return TimeSpan.FromSeconds(300);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) || !(s > 0))
            throw new ArgumentException($"CVMAE_DIST_TIMEOUT_S='{text}' is not a positive number of seconds");
        return TimeSpan.FromSeconds(s);
    }

    /// <summary>Joins the group <paramref name="env"/> describes, with NCCL when the run's device is CUDA, else Gloo.</summary>
    public static C10dRankGroup Join(RankEnvironment env, Device device, TimeSpan timeout)
    {
        string backend = device.Type == DeviceType.CUDA ? "nccl" : "gloo";
        if (!ProcessGroup.IsAvailable(backend))
            throw new ArgumentException($"this build of the libtorch shim has no {backend} backend (needed for {env.WorldSize} ranks on {device}); see native/ and src/Torch/Distributed/README.md");
        TcpStore store;
        try
        {
            store = new TcpStore(env.MasterAddr, env.MasterPort, env.WorldSize, isServer: env.Rank == 0, timeout);
        }
        catch (TorchException e)
        {
            throw new ArgumentException(env.Rank == 0
                ? $"rank 0 could not serve the rendezvous on MASTER_ADDR:MASTER_PORT = {env.MasterAddr}:{env.MasterPort} (is the port in use by another run? choose another MASTER_PORT): {e.Message}"
                : $"rank {env.Rank} could not reach rank 0 at MASTER_ADDR:MASTER_PORT = {env.MasterAddr}:{env.MasterPort} within {timeout.TotalSeconds:F0} s: {e.Message}", e);
        }
        try
        {
            return new C10dRankGroup(store, ProcessGroup.Create(backend, store, env.Rank, env.WorldSize, timeout), timeout);
        }
        catch (TorchException e)
        {
            store.Dispose();
            throw new InvalidOperationException($"rank {env.Rank} of {env.WorldSize}: joining the {backend} group failed: {e.Message}", e);
        }
    }

    public void AllReduceSum(IReadOnlyList<Tensor> tensors) => Guard("all-reduce", () => group.AllReduceCoalesced(tensors, ReduceOp.Sum));

    public Tensor AllGatherWithGrad(Tensor local)
    {
        Tensor? result = null;
        Guard("all-gather", () => result = DistributedOps.AllGatherWithGrad(group, local.contiguous()));
        return result!;
    }

    public void Broadcast(Tensor tensor, int root) => Guard("broadcast", () => group.Broadcast(tensor, root));

    public void Barrier() => Guard("barrier", group.Barrier);

    public void Run(string operation, Action action) => Guard(operation, action);

    public GradientReducer? CreateGradientReducer(IReadOnlyList<Tensor> parameters, long bucketBytes, long firstBucketBytes)
    {
        GradientReducer? reducer = null;
        Guard("gradient reducer setup", () =>
        {
            gradientGroup ??= ProcessGroup.Create(Backend, store, Rank, WorldSize, timeout);
            reducer = new GradientReducer(gradientGroup, parameters, bucketBytes, firstBucketBytes);
        });
        return reducer;
    }

    public IReadOnlyList<string> ExchangeStrings(string key, string value)
    {
        var all = new string[WorldSize];
        Guard($"store exchange of '{key}'", () =>
        {
            store.Set($"cvmae/{key}/{Rank}", Encoding.UTF8.GetBytes(value));
            for (int r = 0; r < WorldSize; r++) all[r] = Encoding.UTF8.GetString(store.Get($"cvmae/{key}/{r}"));
        });
        return all;
    }

    // A failed collective means a peer stopped (or hangs): say so, naming the ranks involved.
    private void Guard(string operation, Action action)
    {
        try
        {
            action();
        }
        catch (TorchException e)
        {
            string peer = WorldSize == 2 ? $"rank {1 - Rank}" : "another rank";
            throw new InvalidOperationException(
                $"rank {Rank} of {WorldSize}: the {operation} with the other ranks failed, so {peer} stopped or stopped answering (its own error says why): {e.Message}", e);
        }
    }

    public void Dispose()
    {
        gradientGroup?.Dispose();
        group.Dispose();
        store.Dispose();
    }
}
