using System.Runtime.InteropServices;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment.Native;

/// <summary>
/// A CPU tensor as libcvmae_augment reads it (native/augment/array.h, <c>cva_array</c>): the
/// address of its first element, its element type (libtorch's ScalarType number), and its shape and
/// strides in elements, at most 8 dimensions. Only the address crosses: the tensor must stay alive
/// until the call returns.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeArray
{
    public const int MaxDims = 8;

    public IntPtr Data;
    public int DType;
    public int NDim;
    public fixed long Shape[MaxDims];
    public fixed long Strides[MaxDims];

    /// <summary>Describes <paramref name="t"/>; a tensor off the CPU or with too many dimensions is an
    /// <see cref="ArgumentException"/> naming the operation and the argument.</summary>
    public static NativeArray Of(Tensor t, string op, string what)
    {
        ArgumentNullException.ThrowIfNull(t, what);
        Device device = t.device;
        if (device.Type != DeviceType.CPU)
            throw new ArgumentException($"{op} runs on CPU tensors, {what} is on {device}");
        long[] shape = t.shape, strides = t.stride();
        if (shape.Length > MaxDims)
            throw new ArgumentException($"{op}: {what} has {shape.Length} dimensions (at most {MaxDims})");
        var a = new NativeArray { Data = t.data_ptr(), DType = (int)t.dtype, NDim = shape.Length };
        for (int d = 0; d < shape.Length; d++)
        {
            a.Shape[d] = shape[d];
            a.Strides[d] = strides[d];
        }
        return a;
    }

    /// <summary>Whether the memory of two arrays (first to last element of each) may intersect
    /// (array.cpp's spans_overlap, for checks made before a copy).</summary>
    public static bool SpansOverlap(in NativeArray a, in NativeArray b)
    {
        (long lo, long hi) Span(in NativeArray t)
        {
            long size = ((ScalarType)(sbyte)t.DType).ElementSize(), lo = (long)t.Data, hi = lo;
            for (int d = 0; d < t.NDim; d++)
            {
                if (t.Shape[d] == 0) return (0, 0);
                long step = (t.Shape[d] - 1) * t.Strides[d] * size;
                if (step < 0) lo += step;
                else hi += step;
            }
            return (lo, hi + size);
        }
        var (alo, ahi) = Span(a);
        var (blo, bhi) = Span(b);
        return ahi > alo && bhi > blo && alo < bhi && blo < ahi;
    }
}
