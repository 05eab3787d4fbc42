using System.Runtime.InteropServices;

namespace CrossVideoMAE.Torch.Native;

/// <summary>Imports of native/src/tensor_create.cpp and errors.cpp.</summary>
internal static unsafe partial class LibTorch
{
    internal const string Lib = "cvmae_torch";

    [DllImport(Lib)] internal static extern IntPtr cvm_last_error();
    [DllImport(Lib)] internal static extern void cvm_tensor_free(IntPtr t);

    [DllImport(Lib)] internal static extern IntPtr cvm_zeros(long* shape, int ndim, sbyte dtype, int devtype, int devidx, bool rg);
    [DllImport(Lib)] internal static extern IntPtr cvm_ones(long* shape, int ndim, sbyte dtype, int devtype, int devidx, bool rg);
    [DllImport(Lib)] internal static extern IntPtr cvm_empty(long* shape, int ndim, sbyte dtype, int devtype, int devidx, bool rg);
    [DllImport(Lib)] internal static extern IntPtr cvm_full(long* shape, int ndim, double value, sbyte dtype, int devtype, int devidx, bool rg);
    [DllImport(Lib)] internal static extern IntPtr cvm_rand(long* shape, int ndim, IntPtr gen, sbyte dtype, int devtype, int devidx, bool rg);
    [DllImport(Lib)] internal static extern IntPtr cvm_randn(long* shape, int ndim, IntPtr gen, sbyte dtype, int devtype, int devidx, bool rg);
    [DllImport(Lib)] internal static extern IntPtr cvm_randint(long low, long high, long* shape, int ndim, IntPtr gen, sbyte dtype, int devtype, int devidx);
    [DllImport(Lib)] internal static extern IntPtr cvm_randperm(long n, IntPtr gen, sbyte dtype, int devtype, int devidx);
    [DllImport(Lib)] internal static extern IntPtr cvm_arange(double start, double end, double step, sbyte dtype, int devtype, int devidx, bool rg);
    [DllImport(Lib)] internal static extern IntPtr cvm_linspace(double start, double end, long steps, sbyte dtype, int devtype, int devidx);
    [DllImport(Lib)] internal static extern IntPtr cvm_from_blob(void* data, long* shape, int ndim, sbyte dtype, delegate* unmanaged<IntPtr, void> release, IntPtr ctx);
    [DllImport(Lib)] internal static extern IntPtr cvm_from_bytes(void* data, long nbytes, long* shape, int ndim, sbyte dtype);
    [DllImport(Lib)] internal static extern int cvm_copy_to_bytes(IntPtr t, void* dst, long nbytes);
    [DllImport(Lib)] internal static extern void* cvm_data_ptr(IntPtr t);

    [DllImport(Lib)] internal static extern int cvm_ndim(IntPtr t);
    [DllImport(Lib)] internal static extern long cvm_numel(IntPtr t);
    [DllImport(Lib)] internal static extern long cvm_element_size(IntPtr t);
    [DllImport(Lib)] internal static extern void cvm_shape(IntPtr t, long* output);
    [DllImport(Lib)] internal static extern void cvm_strides(IntPtr t, long* output);
    [DllImport(Lib)] internal static extern sbyte cvm_dtype(IntPtr t);
    [DllImport(Lib)] internal static extern int cvm_device_type(IntPtr t);
    [DllImport(Lib)] internal static extern int cvm_device_index(IntPtr t);
    [DllImport(Lib)] internal static extern bool cvm_is_contiguous(IntPtr t);
    [DllImport(Lib)] internal static extern bool cvm_requires_grad(IntPtr t);
    [DllImport(Lib)] internal static extern bool cvm_is_leaf(IntPtr t);
    [DllImport(Lib)] internal static extern int cvm_set_requires_grad(IntPtr t, bool value);
    [DllImport(Lib)] internal static extern IntPtr cvm_grad(IntPtr t);
    [DllImport(Lib)] internal static extern int cvm_set_grad(IntPtr t, IntPtr g);

    [DllImport(Lib)] internal static extern IntPtr cvm_clone(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr cvm_detach(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr cvm_contiguous(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr cvm_alias(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr cvm_to(IntPtr t, sbyte dtype, int devtype, int devidx, bool nonBlocking, bool copy);
    [DllImport(Lib)] internal static extern int cvm_item_double(IntPtr t, double* output);
    [DllImport(Lib)] internal static extern int cvm_item_long(IntPtr t, long* output);
    [DllImport(Lib)] internal static extern int cvm_copy_(IntPtr dst, IntPtr src);
    [DllImport(Lib)] internal static extern int cvm_fill_(IntPtr t, double v);
    [DllImport(Lib)] internal static extern int cvm_zero_(IntPtr t);
    [DllImport(Lib)] internal static extern int cvm_uniform_(IntPtr t, double lo, double hi, IntPtr gen);
    [DllImport(Lib)] internal static extern int cvm_normal_(IntPtr t, double mean, double std, IntPtr gen);
    [DllImport(Lib)] internal static extern int cvm_trunc_normal_(IntPtr t, double mean, double std, double lo, double hi, IntPtr gen);
    [DllImport(Lib)] internal static extern IntPtr cvm_to_string(IntPtr t);

    [DllImport(Lib)] internal static extern IntPtr cvm_generator_new(ulong seed);
    [DllImport(Lib)] internal static extern void cvm_generator_free(IntPtr g);
    [DllImport(Lib)] internal static extern IntPtr cvm_generator_default();
    [DllImport(Lib)] internal static extern int cvm_generator_seed(IntPtr g, ulong seed);
    [DllImport(Lib)] internal static extern IntPtr cvm_generator_get_state(IntPtr g);
    [DllImport(Lib)] internal static extern int cvm_generator_set_state(IntPtr g, IntPtr state);
}
