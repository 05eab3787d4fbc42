using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Distributed;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>
/// Averages the trainable parameters' gradients across the ranks, as DDP does. With one rank nothing happens.
/// <para><b>Overlapped</b> (when the loop calls <see cref="BeforeBackward"/>): libtorch's DDP reducer
/// (<see cref="GradientGroupReducer"/>, on a process group of its own) all-reduces buckets of gradients while the
/// backward pass of the optimiser step's last micro-batch is still running: buckets in reverse parameter order,
/// the first up to <see cref="FirstBucketBytes"/> (1 MB), the others up to <see cref="BucketBytes"/> (25 MB),
/// DDP's defaults; each gradient is divided by the world size as it enters its bucket. The earlier micro-batches
/// of a step only accumulate (DDP's no_sync). A parameter that got no gradient on any rank keeps none (as with
/// one process); one that got a gradient on some ranks gets the average with zeros for the others.
/// <see cref="Average"/> then only records how long the end of that backward pass waited for the reductions.</para>
/// <para><b>After backward</b> (a backward pass not armed by <see cref="BeforeBackward"/>, or
/// <c>CVMAE_GRAD_OVERLAP=0</c>): <see cref="Average"/> splits the gradients, in parameter order, into buckets of
/// about <see cref="BucketBytes"/>, sums each in one blocking coalesced all-reduce and divides by the world size;
/// a trainable parameter without a gradient on this rank gets a zero one first, so every rank reduces the same
/// list of tensors.</para>
/// </summary>
public sealed class GradientAverager(IReadOnlyList<Parameter> parameters, IRankGroup group, long bucketBytes = GradientAverager.BucketBytes,
    long firstBucketBytes = GradientAverager.FirstBucketBytes) : IDisposable
{
    public const long BucketBytes = GradientReducer.DefaultBucketBytes;
    public const long FirstBucketBytes = GradientReducer.DefaultFirstBucketBytes;

    private readonly bool overlap = Environment.GetEnvironmentVariable("CVMAE_GRAD_OVERLAP") != "0";
    private GradientReducer? reducer;
    private bool armed;

    /// <summary>Seconds the training waited for gradient reductions (the metrics' <c>allreduce_ms</c>): overlapped,
    /// the time from the end of the last micro-batch's gradient computation to the end of its reductions (the part
    /// not hidden behind backward); after backward, the whole bucketed all-reduce.</summary>
    public double Seconds { get; private set; }

    /// <summary>The overlapped path's reducer once created (its bucket sizes), else null.</summary>
    public GradientReducer? GradientGroupReducer => reducer;

    /// <summary>Call before the backward pass of every micro-batch, with the loss it starts from;
    /// <paramref name="sync"/> for the optimiser step's last micro-batch, whose backward pass then averages the
    /// accumulated gradients over the ranks.</summary>
    public void BeforeBackward(Tensor loss, bool sync)
    {
        if (group.WorldSize == 1 || !overlap || !sync) return;
        if (reducer is null)
        {
            List<Tensor> trainable = parameters.Where(p => p.requires_grad).ToList<Tensor>();
            if (trainable.Count == 0) return;
            reducer = group.CreateGradientReducer(trainable, bucketBytes, firstBucketBytes);
            if (reducer is null) return;
        }
        group.Run("gradient reducer", () => reducer.PrepareForBackward(loss));
        armed = true;
    }

    /// <summary>After the backward pass of the optimiser step's last micro-batch: the gradients are the mean over
    /// the ranks when this returns.</summary>
    public void Average()
    {
        if (group.WorldSize == 1) return;
        if (armed)
        {
            armed = false;
            Seconds += (reducer!.LastWaitMilliseconds ?? 0) / 1000;
            return;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var bucket = new List<Tensor>();
        long bytes = 0;
        try
        {
            foreach (Parameter p in parameters)
            {
                if (!p.requires_grad) continue;
                Tensor? g = p.grad;
                if (g is null)
                {
                    p.grad = torch.zeros_like(p);
                    g = p.grad!;
                }
                bucket.Add(g);
                bytes += g.numel() * g.dtype.ElementSize();
                if (bytes >= bucketBytes)
                {
                    Reduce(bucket);
                    bytes = 0;
                }
            }
            if (bucket.Count > 0) Reduce(bucket);
        }
        finally
        {
            foreach (Tensor g in bucket) g.Dispose();
        }
        Seconds += clock.Elapsed.TotalSeconds;
    }

    private void Reduce(List<Tensor> bucket)
    {
        group.AllReduceSum(bucket);
        foreach (Tensor g in bucket)
        {
            g.div_(group.WorldSize);
            g.Dispose();
        }
        bucket.Clear();
    }

    public void Dispose()
    {
        reducer?.Dispose();
        reducer = null;
    }
}
