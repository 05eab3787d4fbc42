using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch;

/// <summary>Grad mode, autocast regions and torch.autograd.grad.</summary>
public static unsafe partial class torch
{
    /// <summary>Restores the previous grad mode when disposed.</summary>
    public sealed class GradModeScope : IDisposable
    {
        private readonly bool previous;
        internal GradModeScope(bool enabled) => previous = LibTorch.cvm_set_grad_enabled(enabled);
        public void Dispose() => LibTorch.cvm_set_grad_enabled(previous);
    }

    /// <summary><c>using (torch.no_grad()) { ... }</c></summary>
    public static GradModeScope no_grad() => new(false);
    public static GradModeScope enable_grad() => new(true);
    public static bool is_grad_enabled() => LibTorch.cvm_is_grad_enabled();

    /// <summary>An autocast region: eligible ops run in <c>dtype</c> (bf16 by default) on the device type.</summary>
    public sealed class AutocastScope : IDisposable
    {
        private readonly int devtype;
        private readonly bool previousEnabled;
        private readonly sbyte previousDtype;
        private bool closed;

        internal AutocastScope(DeviceType device, ScalarType dtype)
        {
            devtype = (int)device;
            bool enabled;
            sbyte prevDtype;
            Check.Status(LibTorch.cvm_autocast_enter(devtype, (sbyte)dtype, &enabled, &prevDtype));
            previousEnabled = enabled;
            previousDtype = prevDtype;
        }

        /// <summary>Restores the autocast state (enabled flag and dtype) found on entry.</summary>
        public void Dispose()
        {
            if (closed) return;
            closed = true;
            Check.Status(LibTorch.cvm_autocast_exit(devtype, previousEnabled, previousDtype));
        }
    }

    public static AutocastScope autocast(DeviceType device, ScalarType dtype = ScalarType.BFloat16) => new(device, dtype);
    public static bool is_autocast_enabled(DeviceType device) => LibTorch.cvm_autocast_is_enabled((int)device);

    public static class autograd
    {
        /// <summary>Gradients of <paramref name="outputs"/> w.r.t. <paramref name="inputs"/>; an
        /// entry is null where an input is unused and <paramref name="allow_unused"/> is set.</summary>
        public static Tensor?[] grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
            IReadOnlyList<Tensor>? grad_outputs = null, bool retain_graph = false, bool create_graph = false, bool allow_unused = false)
        {
            var o = outputs.Select(t => t.Handle).ToArray();
            var i = inputs.Select(t => t.Handle).ToArray();
            var g = grad_outputs?.Select(t => t.Handle).ToArray();
            var result = new IntPtr[i.Length];
            fixed (IntPtr* po = o) fixed (IntPtr* pi = i) fixed (IntPtr* pg = g) fixed (IntPtr* pr = result)
                Check.Status(LibTorch.cvm_autograd_grad(po, o.Length, pi, i.Length, g is null ? null : pg, retain_graph, create_graph, allow_unused, pr));
            return result.Select(h => h == IntPtr.Zero ? null : Tensor.Wrap(h)).ToArray();
        }
    }
}
