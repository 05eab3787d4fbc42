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
    }
}
