using System.Runtime.InteropServices;

namespace CrossVideoMAE.Torch.Native;

/// <summary>Imports of native/src/nn_ops.cpp, autograd.cpp, optim.cpp, device.cpp and memory.cpp.</summary>
internal static unsafe partial class LibTorch
{
    [DllImport(Lib)] internal static extern IntPtr cvm_linear(IntPtr x, IntPtr w, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr cvm_conv2d(IntPtr x, IntPtr w, IntPtr b, long* stride, long* padding, long* dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr cvm_conv3d(IntPtr x, IntPtr w, IntPtr b, long* stride, long* padding, long* dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr cvm_layer_norm(IntPtr x, long* shape, int n, IntPtr w, IntPtr b, double eps);
    [DllImport(Lib)] internal static extern IntPtr cvm_softmax(IntPtr x, long dim);
    [DllImport(Lib)] internal static extern IntPtr cvm_log_softmax(IntPtr x, long dim);
    [DllImport(Lib)] internal static extern IntPtr cvm_gelu(IntPtr x, bool tanhApprox);
    [DllImport(Lib)] internal static extern IntPtr cvm_dropout(IntPtr x, double p, bool train);
    [DllImport(Lib)] internal static extern IntPtr cvm_sdpa(IntPtr q, IntPtr k, IntPtr v, IntPtr mask, double dropoutP, bool isCausal);
    [DllImport(Lib)] internal static extern IntPtr cvm_cross_entropy(IntPtr logits, IntPtr target, IntPtr weight, long reduction, long ignoreIndex, double labelSmoothing);
    [DllImport(Lib)] internal static extern IntPtr cvm_mse_loss(IntPtr a, IntPtr b, long reduction);
    [DllImport(Lib)] internal static extern IntPtr cvm_nll_loss(IntPtr logp, IntPtr target, long reduction);
    [DllImport(Lib)] internal static extern IntPtr cvm_normalize(IntPtr x, double p, long dim, double eps);
    [DllImport(Lib)] internal static extern IntPtr cvm_cosine_similarity(IntPtr a, IntPtr b, long dim, double eps);
    [DllImport(Lib)] internal static extern IntPtr cvm_grid_sample(IntPtr x, IntPtr grid, long mode, long padding, bool alignCorners);
    [DllImport(Lib)] internal static extern IntPtr cvm_affine_grid(IntPtr theta, long* size, int n, bool alignCorners);
    [DllImport(Lib)] internal static extern IntPtr cvm_interpolate(IntPtr x, long* size, int n, int mode, bool alignCorners, bool antialias);
    [DllImport(Lib)] internal static extern IntPtr cvm_pad(IntPtr x, long* pad, int n, int mode, double value);
    [DllImport(Lib)] internal static extern IntPtr cvm_avg_pool2d(IntPtr x, long* kernel, long* stride);

    [DllImport(Lib)] internal static extern int cvm_backward(IntPtr t, IntPtr grad, bool retainGraph, bool createGraph);
    [DllImport(Lib)] internal static extern int cvm_autograd_grad(IntPtr* outputs, int nOut, IntPtr* inputs, int nIn, IntPtr* gradOutputs, bool retainGraph, bool createGraph, bool allowUnused, IntPtr* output);
    [DllImport(Lib)] internal static extern bool cvm_set_grad_enabled(bool enabled);
    [DllImport(Lib)] internal static extern bool cvm_is_grad_enabled();
    [DllImport(Lib)] internal static extern int cvm_autocast_enter(int devtype, sbyte dtype, bool* prevEnabled, sbyte* prevDtype);
    [DllImport(Lib)] internal static extern int cvm_autocast_exit(int devtype, bool prevEnabled, sbyte prevDtype);
    [DllImport(Lib)] internal static extern bool cvm_autocast_is_enabled(int devtype);

    [DllImport(Lib)] internal static extern int cvm_adamw_step(IntPtr* param, IntPtr* expAvg, IntPtr* expAvgSq, long* steps, int n, double lr, double beta1, double beta2, double eps, double weightDecay);
    [DllImport(Lib)] internal static extern int cvm_sgd_step(IntPtr* param, IntPtr* momentumBuf, int n, double lr, double momentum, double dampening, double weightDecay, bool nesterov);
    [DllImport(Lib)] internal static extern int cvm_clip_grad_norm(IntPtr* param, int n, double maxNorm, double normType, double* total);
    [DllImport(Lib)] internal static extern void cvm_zero_grad(IntPtr* param, int n);

    [DllImport(Lib)] internal static extern int cvm_malloc_retain_freed(int mmapThreshold, int trimThreshold, int arenaMax);
    [DllImport(Lib)] internal static extern int cvm_malloc_trim();
    [DllImport(Lib)] internal static extern IntPtr cvm_torch_version();
    [DllImport(Lib)] internal static extern IntPtr cvm_show_config();
    [DllImport(Lib)] internal static extern void cvm_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int cvm_get_num_threads();
    [DllImport(Lib)] internal static extern int cvm_set_num_interop_threads(int n);
    [DllImport(Lib)] internal static extern void cvm_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern bool cvm_cuda_is_available();
    [DllImport(Lib)] internal static extern int cvm_cuda_device_count();
    [DllImport(Lib)] internal static extern bool cvm_built_with_cuda();
    [DllImport(Lib)] internal static extern IntPtr cvm_cuda_device_name(int index);
    [DllImport(Lib)] internal static extern int cvm_cuda_synchronize(int index);
    [DllImport(Lib)] internal static extern int cvm_cuda_memory(int index, long* allocated, long* peak, int resetPeak);
}
