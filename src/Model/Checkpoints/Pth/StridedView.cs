using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.Pth;

/// <summary>
/// A tensor view over a storage (offset, size, stride, in elements), as torch keeps it: checks
/// that the view lies inside its storage and copies its elements into row-major order.
/// </summary>
internal static class StridedView
{
    /// <summary>Throws <see cref="InvalidDataException"/> unless every element the view can address
    /// lies inside the storage and the contiguous copy fits in one managed array.</summary>
    public static void CheckFits(TensorRef v)
    {
        long numel;
        long lastIndex = v.Offset;
        try
        {
            numel = 1;
            for (int d = 0; d < v.Size.Length; d++) numel = checked(numel * v.Size[d]);
            if (numel > 0)
                for (int d = 0; d < v.Size.Length; d++) lastIndex = checked(lastIndex + (v.Size[d] - 1) * v.Stride[d]);
            if (numel > 0 && checked(numel * v.Storage.DType.ElementSize()) > Array.MaxLength)
                throw new InvalidDataException($"tensor of {numel} {v.Storage.DType} elements is larger than a single 2 GiB array");
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"tensor view size {Dims(v.Size)} stride {Dims(v.Stride)} overflows");
        }
        if (numel > 0 && lastIndex >= v.Storage.Numel)
            throw new InvalidDataException(
                $"tensor view offset {v.Offset} size {Dims(v.Size)} stride {Dims(v.Stride)} reaches element {lastIndex}, " +
                $"but storage '{v.Storage.Key}' holds only {v.Storage.Numel} elements");
    }

    /// <summary>The view's elements in row-major order, as raw bytes of <paramref name="elementSize"/> each.
    /// <paramref name="storage"/> holds the whole storage; <see cref="CheckFits"/> must have passed. A view
    /// that is the whole storage in order (the usual case) returns <paramref name="storage"/> itself.</summary>
    public static byte[] Gather(byte[] storage, int elementSize, TensorRef v)
    {
        long numel = v.Numel;
        int nd = v.Size.Length;
        if (numel > 0 && v.Offset == 0 && numel * elementSize == storage.Length && IsRowMajor(v.Size, v.Stride)) return storage;

        var result = new byte[numel * elementSize];
        if (numel == 0) return result;
        if (IsRowMajor(v.Size, v.Stride))
        {
            storage.AsSpan(checked((int)(v.Offset * elementSize)), result.Length).CopyTo(result);
            return result;
        }

        // Walk all indices but the last with an odometer; copy the last dimension as a run.
        long innerCount = v.Size[nd - 1], innerStride = v.Stride[nd - 1];
        var index = new long[nd - 1];
        long outer = numel / innerCount;
        int written = 0;
        for (long o = 0; o < outer; o++)
        {
            long baseElement = v.Offset;
            for (int d = 0; d < nd - 1; d++) baseElement += index[d] * v.Stride[d];
            if (innerStride == 1)
            {
                int bytes = checked((int)(innerCount * elementSize));
                storage.AsSpan(checked((int)(baseElement * elementSize)), bytes).CopyTo(result.AsSpan(written));
                written += bytes;
            }
            else
            {
                for (long i = 0; i < innerCount; i++)
                {
                    storage.AsSpan(checked((int)((baseElement + i * innerStride) * elementSize)), elementSize).CopyTo(result.AsSpan(written));
                    written += elementSize;
                }
            }
            for (int d = nd - 2; d >= 0; d--)
            {
                if (++index[d] < v.Size[d]) break;
                index[d] = 0;
            }
        }
        return result;
    }

    /// <summary>Whether the strides are those of a row-major (C-contiguous) tensor; dimensions of size 1 may have any stride.</summary>
    public static bool IsRowMajor(long[] size, long[] stride)
    {
        long expected = 1;
        for (int d = size.Length - 1; d >= 0; d--)
        {
            if (size[d] != 1 && stride[d] != expected) return false;
            expected *= size[d];
        }
        return true;
    }

    private static string Dims(long[] d) => "[" + string.Join(", ", d) + "]";
}
