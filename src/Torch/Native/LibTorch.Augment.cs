using System.Runtime.InteropServices;

namespace CrossVideoMAE.Torch.Native;

/// <summary>Imports of native/src/augment_resize.cpp, augment_pixels.cpp and augment_noise.cpp (CPU kernels of the train-feed augmentation).</summary>
internal static unsafe partial class LibTorch
{
    [DllImport(Lib)] internal static extern int cvm_crop_resize_into(IntPtr src, long top, long left, long height, long width, int mode,
        bool antialias, bool flip, double* scale, double* shift, IntPtr dst);
    [DllImport(Lib)] internal static extern int cvm_lut_into(IntPtr src, IntPtr table, IntPtr dst);
    [DllImport(Lib)] internal static extern IntPtr cvm_histogram_rows(IntPtr src);
    [DllImport(Lib)] internal static extern int cvm_adjust_saturation_into(IntPtr src, double factor, IntPtr dst);
    [DllImport(Lib)] internal static extern int cvm_adjust_sharpness_into(IntPtr src, double factor, IntPtr dst);
    [DllImport(Lib)] internal static extern int cvm_gather_columns_into(IntPtr src, IntPtr index, IntPtr dst);
    [DllImport(Lib)] internal static extern int cvm_mix_pair_(IntPtr a, IntPtr b, double lambda);
    [DllImport(Lib)] internal static extern int cvm_swap_(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern int cvm_normal_fill_(IntPtr x, ulong seed);
}
