using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CrossVideoMAE.Stages.Augment.Native;

/// <summary>Imports of libcvmae_augment.so (native/augment: crop_resize.cpp, pixels.cpp, noise.cpp,
/// array.cpp). Every kernel returns 0, or 1 with the reason in the library's thread-local error.</summary>
internal static unsafe class AugmentLib
{
    private const string Lib = "cvmae_augment";

    [DllImport(Lib)] internal static extern IntPtr cva_last_error();
    [DllImport(Lib)] internal static extern int cva_crop_resize_into(NativeArray* src, long top, long left, long height, long width, int mode,
        int antialias, int flip, double* scale, double* shift, NativeArray* dst);
    [DllImport(Lib)] internal static extern int cva_lut_into(NativeArray* src, NativeArray* table, NativeArray* dst);
    [DllImport(Lib)] internal static extern int cva_histogram_rows(NativeArray* src, NativeArray* hist);
    [DllImport(Lib)] internal static extern int cva_adjust_saturation_into(NativeArray* src, double factor, NativeArray* dst);
    [DllImport(Lib)] internal static extern int cva_adjust_sharpness_into(NativeArray* src, double factor, NativeArray* dst);
    [DllImport(Lib)] internal static extern int cva_gather_columns_into(NativeArray* src, NativeArray* index, NativeArray* dst);
    [DllImport(Lib)] internal static extern int cva_mix_pair_(NativeArray* a, NativeArray* b, double lambda);
    [DllImport(Lib)] internal static extern int cva_swap_(NativeArray* a, NativeArray* b);
    [DllImport(Lib)] internal static extern int cva_normal_fill_(NativeArray* x, ulong seed);

    /// <summary>Throws the library's message as an <see cref="ArgumentException"/> when <paramref name="status"/> is not 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(int status)
    {
        if (status != 0) Throw();
    }

    private static void Throw()
    {
        IntPtr msg = cva_last_error();
        throw new ArgumentException(msg == IntPtr.Zero ? "augmentation kernel failed without a message" : Marshal.PtrToStringUTF8(msg));
    }
}
