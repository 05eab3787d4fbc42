using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch;

public enum Reduction { None = 0, Mean = 1, Sum = 2 }
public enum InterpolationMode { Nearest = 0, Bilinear = 1, Bicubic = 2, Trilinear = 3, Area = 4 }
public enum GridSampleMode { Bilinear = 0, Nearest = 1, Bicubic = 2 }
public enum GridPadding { Zeros = 0, Border = 1, Reflection = 2 }
public enum PaddingMode { Constant = 0, Reflect = 1, Replicate = 2 }

/// <summary>torch.nn.functional.</summary>
public static unsafe partial class torch
{
    public static partial class nn
    {
        public static class functional
        {
            public static Tensor linear(Tensor x, Tensor weight, Tensor? bias = null) =>
                Tensor.Wrap(LibTorch.cvm_linear(x.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero));

            public static Tensor conv2d(Tensor x, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
            {
                long[] s = stride ?? [1, 1], p = padding ?? [0, 0], d = dilation ?? [1, 1];
                if (s.Length != 2 || p.Length != 2 || d.Length != 2) throw new ArgumentException("conv2d takes 2 values for stride, padding and dilation");
                fixed (long* ps = s) fixed (long* pp = p) fixed (long* pd = d)
                    return Tensor.Wrap(LibTorch.cvm_conv2d(x.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, ps, pp, pd, groups));
            }

            public static Tensor conv3d(Tensor x, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
            {
                long[] s = stride ?? [1, 1, 1], p = padding ?? [0, 0, 0], d = dilation ?? [1, 1, 1];
                if (s.Length != 3 || p.Length != 3 || d.Length != 3) throw new ArgumentException("conv3d takes 3 values for stride, padding and dilation");
                fixed (long* ps = s) fixed (long* pp = p) fixed (long* pd = d)
                    return Tensor.Wrap(LibTorch.cvm_conv3d(x.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, ps, pp, pd, groups));
            }

            public static Tensor layer_norm(Tensor x, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                fixed (long* s = normalized_shape)
                    return Tensor.Wrap(LibTorch.cvm_layer_norm(x.Handle, s, normalized_shape.Length, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero, eps));
            }

            public static Tensor softmax(Tensor x, long dim) => Tensor.Wrap(LibTorch.cvm_softmax(x.Handle, dim));
            public static Tensor log_softmax(Tensor x, long dim) => Tensor.Wrap(LibTorch.cvm_log_softmax(x.Handle, dim));
            public static Tensor gelu(Tensor x, bool tanh_approximation = false) => Tensor.Wrap(LibTorch.cvm_gelu(x.Handle, tanh_approximation));
            public static Tensor relu(Tensor x) => x.relu();
            public static Tensor silu(Tensor x) => Tensor.Wrap(LibTorch.cvm_unary(x.Handle, (int)UnaryOp.Silu));
            public static Tensor dropout(Tensor x, double p = 0.5, bool training = true) => Tensor.Wrap(LibTorch.cvm_dropout(x.Handle, p, training));

            /// <summary>softmax(q kᵀ / sqrt(d) + mask) v for q, k, v of shape [B, H, L, d]; a
            /// fused kernel where libtorch has one (PyTorch 2), else the composite form.</summary>
            public static Tensor scaled_dot_product_attention(Tensor q, Tensor k, Tensor v, Tensor? attn_mask = null, double dropout_p = 0, bool is_causal = false) =>
                Tensor.Wrap(LibTorch.cvm_sdpa(q.Handle, k.Handle, v.Handle, attn_mask?.Handle ?? IntPtr.Zero, dropout_p, is_causal));

            /// <summary>Cross entropy; an integer target holds class indices, a floating one class probabilities (mixup).</summary>
            public static Tensor cross_entropy(Tensor logits, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, long ignore_index = -100, double label_smoothing = 0) =>
                Tensor.Wrap(LibTorch.cvm_cross_entropy(logits.Handle, target.Handle, weight?.Handle ?? IntPtr.Zero, (long)reduction, ignore_index, label_smoothing));

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(LibTorch.cvm_mse_loss(input.Handle, target.Handle, (long)reduction));
            public static Tensor nll_loss(Tensor logp, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(LibTorch.cvm_nll_loss(logp.Handle, target.Handle, (long)reduction));

            public static Tensor normalize(Tensor x, double p = 2, long dim = 1, double eps = 1e-12) =>
                Tensor.Wrap(LibTorch.cvm_normalize(x.Handle, p, dim, eps));
            public static Tensor cosine_similarity(Tensor a, Tensor b, long dim = 1, double eps = 1e-8) =>
                Tensor.Wrap(LibTorch.cvm_cosine_similarity(a.Handle, b.Handle, dim, eps));

            public static Tensor grid_sample(Tensor input, Tensor grid, GridSampleMode mode = GridSampleMode.Bilinear, GridPadding padding_mode = GridPadding.Zeros, bool align_corners = false) =>
                Tensor.Wrap(LibTorch.cvm_grid_sample(input.Handle, grid.Handle, (long)mode, (long)padding_mode, align_corners));

            public static Tensor affine_grid(Tensor theta, long[] size, bool align_corners = false)
            {
                fixed (long* s = size) return Tensor.Wrap(LibTorch.cvm_affine_grid(theta.Handle, s, size.Length, align_corners));
            }

            /// <summary>Resizes the trailing 1, 2 or 3 dimensions to <paramref name="size"/>.</summary>
            public static Tensor interpolate(Tensor x, long[] size, InterpolationMode mode = InterpolationMode.Nearest, bool align_corners = false, bool antialias = false)
            {
                fixed (long* s = size) return Tensor.Wrap(LibTorch.cvm_interpolate(x.Handle, s, size.Length, (int)mode, align_corners, antialias));
            }

            /// <summary>Pads the trailing dimensions; <paramref name="pad"/> lists (left, right) pairs from the last dimension backwards.</summary>
            public static Tensor pad(Tensor x, long[] pad, PaddingMode mode = PaddingMode.Constant, double value = 0)
            {
                fixed (long* p = pad) return Tensor.Wrap(LibTorch.cvm_pad(x.Handle, p, pad.Length, (int)mode, value));
            }

            public static Tensor avg_pool2d(Tensor x, long[] kernel, long[]? stride = null)
            {
                long[] s = stride ?? kernel;
                fixed (long* k = kernel) fixed (long* ps = s) return Tensor.Wrap(LibTorch.cvm_avg_pool2d(x.Handle, k, ps));
            }

            public static Tensor one_hot(Tensor t, long num_classes = -1) => Tensor.Wrap(LibTorch.cvm_one_hot(t.Handle, num_classes));
        }
    }
}
