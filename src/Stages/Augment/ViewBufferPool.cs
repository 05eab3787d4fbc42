using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// Output tensors of the augmentation kept for the next batches. A batch's views are large
/// (u¹ and u² of 8 clips at 16x224x224 are 77 MB each), far above the size glibc serves from its
/// heap, so every fresh batch tensor is new mmap'ed memory that the kernel faults in and zeroes
/// page by page (about as long as writing it twice). Tensors handed back with
/// <see cref="Return"/> are given out again by <see cref="Rent"/> for the same shape, type and
/// device, already faulted in. At most <see cref="Capacity"/> are kept; extra ones are freed.
/// Thread-safe: the feed rents on its augmenting thread and the trainer returns on its own.
/// A returned tensor (and every view of it) must no longer be used.
/// </summary>
public sealed class ViewBufferPool(int capacity) : IDisposable
{
    private readonly List<Tensor> free = [];
    private bool disposed;

    public int Capacity { get; } = capacity >= 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must not be negative");

    /// <summary>Tensors waiting to be reused.</summary>
    public int Count
    {
        get { lock (free) return free.Count; }
    }

    /// <summary>A tensor of this shape, type and device with undefined contents; the caller owns
    /// it (hand it back with <see cref="Return"/>, or dispose it).</summary>
    public Tensor Rent(long[] shape, ScalarType dtype, Device device)
    {
        lock (free)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            for (int i = 0; i < free.Count; i++)
            {
                Tensor t = free[i];
                if (t.dtype == dtype && t.device == device && t.shape.AsSpan().SequenceEqual(shape))
                {
                    free.RemoveAt(i);
                    return t;
                }
            }
        }
        return torch.empty(shape, dtype, device).DetachFromDisposeScope();
    }

    /// <summary>Takes back a tensor from <see cref="Rent"/> (the caller gives up its handle).</summary>
    public void Return(Tensor tensor)
    {
        lock (free)
        {
            if (!disposed && free.Count < Capacity && !free.Contains(tensor))
            {
                free.Add(tensor.DetachFromDisposeScope());
                return;
            }
        }
        tensor.Dispose();
    }

    public void Dispose()
    {
        lock (free)
        {
            disposed = true;
            foreach (Tensor t in free) t.Dispose();
            free.Clear();
        }
    }
}
