using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>
/// Averages the parameters' gradients across the ranks after the backward pass, as DDP does: the
/// gradients are split, in parameter order, into buckets of about <see cref="BucketBytes"/> (25 MB, DDP's
/// default) and each bucket is summed in one coalesced all-reduce, then divided by the world size. A
/// trainable parameter without a gradient on this rank gets a zero one first, so every rank reduces
/// the same list of tensors. With one rank nothing happens.
/// </summary>
public sealed class GradientAverager(IReadOnlyList<Parameter> parameters, IRankGroup group, long bucketBytes = GradientAverager.BucketBytes)
{
    public const long BucketBytes = 25L * 1024 * 1024;

    /// <summary>Seconds spent in the all-reduces (for the metrics' communication share).</summary>
    public double Seconds { get; private set; }

    public void Average()
    {
        if (group.WorldSize == 1) return;
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
}
