using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch;

/// <summary>
/// CPU kernels of the train-feed augmentation (native/src/augment_*.cpp): each reads its input
/// once and writes its output once, where the equivalent chain of libtorch ops makes several full
/// passes. They take CPU tensors only; GPU tensors go through the libtorch ops.
/// </summary>
public static unsafe partial class torch
{
    public static class augment
    {
        /// <summary>
        /// Crops rows [top, top + height) x columns [left, left + width) of every frame of
        /// <c>images [T, H, W, 3]</c> (uint8 or float32 on the 0–255 scale), resizes the box to the
        /// destination's <c>S_h x S_w</c> as <c>F.interpolate(..., align_corners=False, antialias)</c>
        /// does (nearest, bilinear or bicubic; bicubic clamped to [0, 255]), mirrors it left-right
        /// when <paramref name="flip"/> is set, and writes channel c as <c>value · scale[c] + shift[c]</c>
        /// into <c>destination [3, T, S_h, S_w]</c>: float32 as computed, uint8 clamped to [0, 255]
        /// and rounded half to even. The destination may be any view whose last dimension is
        /// contiguous (e.g. one clip of a <c>[B, 3, T, S, S]</c> batch).
        /// </summary>
        public static void crop_resize_into(Tensor images, long top, long left, long height, long width, Tensor destination,
            InterpolationMode mode, bool antialias, bool flip, ReadOnlySpan<double> scale, ReadOnlySpan<double> shift)
        {
            if (mode is not (InterpolationMode.Nearest or InterpolationMode.Bilinear or InterpolationMode.Bicubic))
                throw new ArgumentException($"crop_resize_into resizes with nearest, bilinear or bicubic, not {mode}", nameof(mode));
            if (scale.Length != 3 || shift.Length != 3)
                throw new ArgumentException($"scale and shift need 3 values (one per channel), got {scale.Length} and {shift.Length}");
            fixed (double* s = scale) fixed (double* b = shift)
                Check.Status(LibTorch.cvm_crop_resize_into(images.Handle, top, left, height, width, (int)mode, antialias, flip, s, b,
                    destination.Handle));
        }

        /// <summary>
        /// Table lookup per row: <c>destination[r, i] = table[r / (R / G), input[r, i]]</c> for
        /// <c>input [R, P]</c> uint8 and a contiguous <c>table [G, 256]</c> (uint8 or float32; G
        /// divides R, so one table serves each group of R / G consecutive rows). The destination
        /// <c>[R, P]</c> has the table's type and may be the input itself (uint8, in place).
        /// </summary>
        public static void lut_into(Tensor input, Tensor table, Tensor destination) =>
            Check.Status(LibTorch.cvm_lut_into(input.Handle, table.Handle, destination.Handle));

        /// <summary>How often each level 0..255 occurs in each row of <c>input [R, P]</c> uint8: <c>[R, 256]</c> int64.</summary>
        public static Tensor histogram_rows(Tensor input) => Tensor.Wrap(LibTorch.cvm_histogram_rows(input.Handle));

        /// <summary>
        /// Saturation of uint8 clips <c>input [N, 3, pixels]</c>: each value v becomes
        /// <c>lerp(gray, v, factor)</c> clamped to [0, 255] and cast to uint8 (toward zero), with
        /// gray = 0.2989 r + 0.587 g + 0.114 b of its pixel (float32). The destination (same shape,
        /// contiguous) may be the input.
        /// </summary>
        public static void adjust_saturation_into(Tensor input, double factor, Tensor destination) =>
            Check.Status(LibTorch.cvm_adjust_saturation_into(input.Handle, factor, destination.Handle));

        /// <summary>
        /// Sharpness of uint8 planes <c>input [N, H, W]</c>: inside the one-pixel border, the blend
        /// at ratio <paramref name="factor"/> of each value with its smoothing by the kernel
        /// [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 (float32), clamped to [0, 255] and cast to uint8
        /// (toward zero); border values are kept. The destination (same shape, contiguous) may be the input.
        /// </summary>
        public static void adjust_sharpness_into(Tensor input, double factor, Tensor destination) =>
            Check.Status(LibTorch.cvm_adjust_sharpness_into(input.Handle, factor, destination.Handle));

        /// <summary>
        /// Moves values within rows: <c>destination[r, q] = input[r, index[q]]</c>, or 0 where
        /// <c>index[q]</c> is -1, for <c>input [R, P]</c> uint8, <c>index [Q]</c> int64 in [-1, P)
        /// and <c>destination [R, Q]</c> uint8 (not overlapping the input): a nearest-neighbour warp
        /// of every plane of a clip by one map.
        /// </summary>
        public static void gather_columns_into(Tensor input, Tensor index, Tensor destination) =>
            Check.Status(LibTorch.cvm_gather_columns_into(input.Handle, index.Handle, destination.Handle));

        /// <summary>
        /// Mixup of a pair in place, one pass over both: with d = (a - b) · (1 - λ), a becomes
        /// a - d = λ a + (1 - λ) b and b becomes b + d = λ b + (1 - λ) a. Float32 tensors of one
        /// shape, last dimension contiguous, not overlapping each other.
        /// </summary>
        public static void mix_pair_(Tensor a, Tensor b, double lambda) =>
            Check.Status(LibTorch.cvm_mix_pair_(a.Handle, b.Handle, lambda));

        /// <summary>Exchanges the values of two tensors of one shape and type in place (last
        /// dimension contiguous, not overlapping each other): cutmix's box swap.</summary>
        public static void swap_(Tensor a, Tensor b) => Check.Status(LibTorch.cvm_swap_(a.Handle, b.Handle));

        /// <summary>
        /// Fills a float32 CPU tensor (any shape and strides, e.g. a box inside a clip) in place with
        /// independent standard-normal values: the ziggurat method over xoshiro256**, in row-major
        /// order of the shape, so the same seed and shape always give the same values. Random
        /// erasing's noise, a few times faster than <c>randn</c> on libtorch's CPU generator plus a copy.
        /// </summary>
        public static void normal_fill_(Tensor x, ulong seed) => Check.Status(LibTorch.cvm_normal_fill_(x.Handle, seed));
    }
}
