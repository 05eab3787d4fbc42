using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch.Distributed;

/// <summary>
/// A c10d process group: <c>worldSize</c> ranks that meet through a <see cref="TcpStore"/> and run
/// collectives, Gloo for CPU tensors, NCCL for CUDA tensors (a shim built against a CUDA libtorch).
/// Every rank must call the same collectives in the same order with tensors of the same shape and
/// dtype. Each call waits for its result. A collective that cannot finish (a peer died, or did not
/// arrive within <c>timeout</c>) throws a <see cref="TorchException"/> whose message names the
/// operation, e.g. "AllReduce (gloo, rank 1 of 2) failed: ...".
/// </summary>
public sealed unsafe class ProcessGroup : IDisposable
{
    private IntPtr handle;

    private ProcessGroup(IntPtr handle, string backend, int rank, int worldSize)
    {
        this.handle = handle;
        Backend = backend;
        Rank = rank;
        WorldSize = worldSize;
    }

    /// <summary>Joins the group; returns once every rank has joined (or throws after <paramref name="timeout"/>).
    /// Groups over one store must be created in the same order on every rank.</summary>
    public static ProcessGroup Create(string backend /* "gloo" | "nccl" */, TcpStore store, int rank, int worldSize, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(store);
        long ms = TcpStore.Milliseconds(timeout);
        fixed (byte* b = LibTorch.Utf8Z(backend ?? ""))
            return new ProcessGroup(Check.Handle(LibTorch.cvm_pg_new(b, store.Handle, rank, worldSize, ms)), backend!, rank, worldSize);
    }

    /// <summary>Whether this build of the shim has the backend ("gloo", "nccl").</summary>
    public static bool IsAvailable(string backend)
    {
        fixed (byte* b = LibTorch.Utf8Z(backend)) return LibTorch.cvm_distributed_has_backend(b);
    }

    public int Rank { get; }
    public int WorldSize { get; }
    public string Backend { get; }

    internal IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(ProcessGroup));

    /// <summary>Reduces <paramref name="t"/> (contiguous) across ranks in place.</summary>
    public void AllReduce(Tensor t, ReduceOp op = ReduceOp.Sum) =>
        Check.Status(LibTorch.cvm_pg_allreduce(Handle, t.Handle, (int)op));

    /// <summary>Reduces all tensors (one dtype, one device) with a single all-reduce over one
    /// flattened buffer (a gradient bucket), each written back in place.</summary>
    public void AllReduceCoalesced(IReadOnlyList<Tensor> ts, ReduceOp op = ReduceOp.Sum)
    {
        var handles = new IntPtr[ts.Count];
        for (int i = 0; i < handles.Length; i++) handles[i] = ts[i].Handle;
        fixed (IntPtr* p = handles)
            Check.Status(LibTorch.cvm_pg_allreduce_coalesced(Handle, p, handles.Length, (int)op));
    }

    /// <summary>[B, ...] on each rank (the same B) -> [world*B, ...], rank order; no gradient
    /// (<see cref="DistributedOps.AllGatherWithGrad"/> has one).</summary>
    public Tensor AllGather(Tensor t) => Tensor.Wrap(LibTorch.cvm_pg_allgather(Handle, t.Handle));

    /// <summary>Overwrites <paramref name="t"/> (contiguous) on every rank with rank <paramref name="root"/>'s.</summary>
    public void Broadcast(Tensor t, int root) => Check.Status(LibTorch.cvm_pg_broadcast(Handle, t.Handle, root));

    /// <summary>Returns once every rank has reached it.</summary>
    public void Barrier() => Check.Status(LibTorch.cvm_pg_barrier(Handle));

    public void Dispose()
    {
        IntPtr h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) LibTorch.cvm_pg_free(h);
        GC.SuppressFinalize(this);
    }

    ~ProcessGroup() => Dispose();
}
