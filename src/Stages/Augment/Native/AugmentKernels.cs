using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment.Native;

/// <summary>
/// CPU kernels of the train-feed augmentation (libcvmae_augment.so, native/augment): each reads its
/// input once and writes its output once, where the equivalent chain of libtorch ops makes several
/// full passes. They take CPU tensors only (GPU tensors go through the libtorch ops) and receive
/// each tensor as its data pointer, shape and strides; libtorch is not involved. Bad arguments
/// throw an <see cref="ArgumentException"/> with the kernel's reason.
/// </summary>
public static unsafe class AugmentKernels
{
    /// <summary>
    /// Crops rows [top, top + height) x columns [left, left + width) of every frame of
    /// <c>images [T, H, W, 3]</c> (uint8 or float32 on the 0–255 scale), resizes the box to the
    /// destination's <c>S_h x S_w</c> as <c>F.interpolate(..., align_corners=False, antialias)</c>
    /// does (nearest, bilinear or bicubic; bicubic clamped to [0, 255]), mirrors it left-right
    /// when <paramref name="flip"/> is set, and writes channel c as <c>value · scale[c] + shift[c]</c>
    /// into <c>destination [3, T, S_h, S_w]</c>: float32 as computed, uint8 clamped to [0, 255]
    /// and rounded half to even. The destination may be any view whose last dimension is
    /// contiguous (e.g. one clip of a <c>[B, 3, T, S, S]</c> batch); images whose frames are not
    /// interleaved rows (stride(2) = 3, stride(3) = 1) are copied first.
    /// </summary>
    public static void crop_resize_into(Tensor images, long top, long left, long height, long width, Tensor destination,
        InterpolationMode mode, bool antialias, bool flip, ReadOnlySpan<double> scale, ReadOnlySpan<double> shift)
    {
        const string op = "crop_resize_into";
        if (mode is not (InterpolationMode.Nearest or InterpolationMode.Bilinear or InterpolationMode.Bicubic))
            throw new ArgumentException($"crop_resize_into resizes with nearest, bilinear or bicubic, not {mode}", nameof(mode));
        if (scale.Length != 3 || shift.Length != 3)
            throw new ArgumentException($"scale and shift need 3 values (one per channel), got {scale.Length} and {shift.Length}");
        NativeArray dst = NativeArray.Of(destination, op, "the destination");
        NativeArray probe = NativeArray.Of(images, op, "the source");
        bool interleaved = probe.NDim != 4 || probe.Shape[0] * probe.Shape[1] * probe.Shape[2] == 0 ||
                           (probe.Strides[3] == 1 && probe.Strides[2] == 3);
        if (!interleaved && NativeArray.SpansOverlap(dst, probe))
            throw new ArgumentException("crop_resize_into: the destination overlaps the source");
        Tensor source = interleaved ? images : images.contiguous();
        try
        {
            NativeArray src = interleaved ? probe : NativeArray.Of(source, op, "the source");
            fixed (double* s = scale) fixed (double* b = shift)
                AugmentLib.Check(AugmentLib.cva_crop_resize_into(&src, top, left, height, width, (int)mode, antialias ? 1 : 0, flip ? 1 : 0,
                    s, b, &dst));
        }
        finally
        {
            if (!interleaved) source.Dispose();
        }
        GC.KeepAlive(images);
        GC.KeepAlive(destination);
    }

    /// <summary>
    /// Table lookup per row: <c>destination[r, i] = table[r / (R / G), input[r, i]]</c> for
    /// <c>input [R, P]</c> uint8 and a contiguous <c>table [G, 256]</c> (uint8 or float32; G
    /// divides R, so one table serves each group of R / G consecutive rows). The destination
    /// <c>[R, P]</c> has the table's type and may be the input itself (uint8, in place).
    /// </summary>
    public static void lut_into(Tensor input, Tensor table, Tensor destination)
    {
        const string op = "lut_into";
        NativeArray src = NativeArray.Of(input, op, "the source"), tab = NativeArray.Of(table, op, "the table"),
            dst = NativeArray.Of(destination, op, "the destination");
        AugmentLib.Check(AugmentLib.cva_lut_into(&src, &tab, &dst));
        GC.KeepAlive(input);
        GC.KeepAlive(table);
        GC.KeepAlive(destination);
    }

    /// <summary>How often each level 0..255 occurs in each row of <c>input [R, P]</c> uint8: <c>[R, 256]</c> int64.</summary>
    public static Tensor histogram_rows(Tensor input)
    {
        const string op = "histogram_rows";
        NativeArray src = NativeArray.Of(input, op, "the source");
        if (src.NDim != 2) throw new ArgumentException($"histogram_rows: the source must be 2-D [rows, values], got [{string.Join(", ", input.shape)}]");
        Tensor hist = torch.empty([src.Shape[0], 256], ScalarType.Int64);
        try
        {
            NativeArray h = NativeArray.Of(hist, op, "the histogram");
            AugmentLib.Check(AugmentLib.cva_histogram_rows(&src, &h));
        }
        catch
        {
            hist.Dispose();
            throw;
        }
        GC.KeepAlive(input);
        return hist;
    }

    /// <summary>
    /// Saturation of uint8 clips <c>input [N, 3, pixels]</c>: each value v becomes
    /// <c>lerp(gray, v, factor)</c> clamped to [0, 255] and cast to uint8 (toward zero), with
    /// gray = 0.2989 r + 0.587 g + 0.114 b of its pixel (float32). The destination (same shape,
    /// contiguous) may be the input.
    /// </summary>
    public static void adjust_saturation_into(Tensor input, double factor, Tensor destination)
    {
        const string op = "adjust_saturation_into";
        NativeArray src = NativeArray.Of(input, op, "the source"), dst = NativeArray.Of(destination, op, "the destination");
        AugmentLib.Check(AugmentLib.cva_adjust_saturation_into(&src, factor, &dst));
        GC.KeepAlive(input);
        GC.KeepAlive(destination);
    }

    /// <summary>
    /// Sharpness of uint8 planes <c>input [N, H, W]</c>: inside the one-pixel border, the blend
    /// at ratio <paramref name="factor"/> of each value with its smoothing by the kernel
    /// [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 (float32), clamped to [0, 255] and cast to uint8
    /// (toward zero); border values are kept. The destination (same shape, contiguous) may be the input.
    /// </summary>
    public static void adjust_sharpness_into(Tensor input, double factor, Tensor destination)
    {
        const string op = "adjust_sharpness_into";
        NativeArray src = NativeArray.Of(input, op, "the source"), dst = NativeArray.Of(destination, op, "the destination");
        AugmentLib.Check(AugmentLib.cva_adjust_sharpness_into(&src, factor, &dst));
        GC.KeepAlive(input);
        GC.KeepAlive(destination);
    }

    /// <summary>
    /// Moves values within rows: <c>destination[r, q] = input[r, index[q]]</c>, or 0 where
    /// <c>index[q]</c> is -1, for <c>input [R, P]</c> uint8, <c>index [Q]</c> int64 in [-1, P)
    /// and <c>destination [R, Q]</c> uint8 (not overlapping the input): a nearest-neighbour warp
    /// of every plane of a clip by one map.
    /// </summary>
    public static void gather_columns_into(Tensor input, Tensor index, Tensor destination)
    {
        const string op = "gather_columns_into";
        NativeArray src = NativeArray.Of(input, op, "the source"), idx = NativeArray.Of(index, op, "the index"),
            dst = NativeArray.Of(destination, op, "the destination");
        AugmentLib.Check(AugmentLib.cva_gather_columns_into(&src, &idx, &dst));
        GC.KeepAlive(input);
        GC.KeepAlive(index);
        GC.KeepAlive(destination);
    }

    /// <summary>
    /// Mixup of a pair in place, one pass over both: with d = (a - b) · (1 - λ), a becomes
    /// a - d = λ a + (1 - λ) b and b becomes b + d = λ b + (1 - λ) a. Float32 tensors of one
    /// shape, last dimension contiguous, not overlapping each other.
    /// </summary>
    public static void mix_pair_(Tensor a, Tensor b, double lambda)
    {
        NativeArray x = NativeArray.Of(a, "mix_pair_", "the first tensor"), y = NativeArray.Of(b, "mix_pair_", "the second tensor");
        AugmentLib.Check(AugmentLib.cva_mix_pair_(&x, &y, lambda));
        GC.KeepAlive(a);
        GC.KeepAlive(b);
    }

    /// <summary>Exchanges the values of two tensors of one shape and type in place (last
    /// dimension contiguous, not overlapping each other): cutmix's box swap.</summary>
    public static void swap_(Tensor a, Tensor b)
    {
        NativeArray x = NativeArray.Of(a, "swap_", "the first tensor"), y = NativeArray.Of(b, "swap_", "the second tensor");
        AugmentLib.Check(AugmentLib.cva_swap_(&x, &y));
        GC.KeepAlive(a);
        GC.KeepAlive(b);
    }

    /// <summary>
    /// Fills a float32 CPU tensor (any shape and strides, e.g. a box inside a clip) in place with
    /// independent standard-normal values: the ziggurat method over xoshiro256**, in row-major
    /// order of the shape, so the same seed and shape always give the same values. Random
    /// erasing's noise, a few times faster than <c>randn</c> on libtorch's CPU generator plus a copy.
    /// </summary>
    public static void normal_fill_(Tensor x, ulong seed)
    {
        NativeArray a = NativeArray.Of(x, "normal_fill_", "the tensor");
        AugmentLib.Check(AugmentLib.cva_normal_fill_(&a, seed));
        GC.KeepAlive(x);
    }
}
