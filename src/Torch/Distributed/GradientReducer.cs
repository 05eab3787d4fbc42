using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch.Distributed;

/// <summary>
/// DistributedDataParallel's gradient synchronisation, libtorch's <c>c10d::Reducer</c>: averages the
/// parameters' gradients over the ranks of a group <em>during</em> the backward pass. A hook after each
/// parameter's gradient accumulation marks it ready; a full bucket is all-reduced asynchronously while
/// backward goes on; before <c>backward()</c> returns, every bucket has been waited for and its average
/// copied into the parameters' <c>.grad</c>. Buckets follow the reverse parameter order (about the order
/// gradients become ready): the first up to <c>firstBucketBytes</c> (DDP: 1 MB), the others up to
/// <c>bucketBytes</c> (DDP: 25 MB).
/// <para>Only a backward pass armed by <see cref="PrepareForBackward"/> is reduced; the others just
/// accumulate gradients (DDP's <c>no_sync</c>: with gradient accumulation, arm the last micro-batch only).
/// A parameter the armed graph does not reach is treated as ready with no gradient (DDP's
/// find_unused_parameters): if no rank had a gradient for it, its <c>.grad</c> is left as it was.</para>
/// <para>Every rank must build its reducer over the same parameters in the same order, arm the same
/// backward passes, and the group should carry no other collectives during them (its all-reduces are
/// issued from the backward pass in bucket order; another collective issued from backward on the same
/// group, such as <see cref="DistributedOps.AllGatherWithGrad"/>'s, would interleave with them in graph
/// order, which only identical graphs on every rank keep the same). A rank that dies makes the
/// others' backward throw a <see cref="TorchException"/> naming the group.</para>
/// </summary>
public sealed unsafe class GradientReducer : IDisposable
{
    public const long DefaultBucketBytes = 25L * 1024 * 1024, DefaultFirstBucketBytes = 1024 * 1024;

    private IntPtr handle;

    public GradientReducer(ProcessGroup group, IReadOnlyList<Tensor> parameters, long bucketBytes = DefaultBucketBytes, long firstBucketBytes = DefaultFirstBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(parameters);
        var handles = new IntPtr[parameters.Count];
        for (int i = 0; i < handles.Length; i++) handles[i] = parameters[i].Handle;
        fixed (IntPtr* p = handles)
            handle = Check.Handle(LibTorch.cvm_reducer_new(group.Handle, p, handles.Length, bucketBytes, firstBucketBytes));
        int n = LibTorch.cvm_reducer_buckets(handle, null);
        var sizes = new long[n];
        fixed (long* s = sizes) LibTorch.cvm_reducer_buckets(handle, s);
        BucketBytes = sizes;
    }

    /// <summary>Each bucket's size in bytes, in the order the buckets are reduced.</summary>
    public IReadOnlyList<long> BucketBytes { get; }

    private IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(GradientReducer));

    /// <summary>Arms the next backward pass, which must start from <paramref name="output"/> (the loss, or a
    /// tensor the backward root is computed from): its gradients are averaged over the ranks before it returns.</summary>
    public void PrepareForBackward(Tensor output) => Check.Status(LibTorch.cvm_reducer_prepare(Handle, output.Handle));

    /// <summary>Milliseconds the last armed backward pass spent after its last gradient was computed, waiting
    /// for the all-reduces still running and copying the averages into <c>.grad</c> (the part of the
    /// reduction not hidden behind the backward computation); null until an armed backward has finished.</summary>
    public double? LastWaitMilliseconds
    {
        get
        {
            double ms = LibTorch.cvm_reducer_wait_ms(Handle);
            return ms >= 0 ? ms : null;
        }
    }

    public void Dispose()
    {
        IntPtr h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) LibTorch.cvm_reducer_free(h);
        GC.SuppressFinalize(this);
    }

    ~GradientReducer() => Dispose();
}
