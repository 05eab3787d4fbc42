using CrossVideoMAE.Torch;
using CrossVideoMAE.Stages.Augment.Native;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// The input layout of the augmentations: decoded clips as <c>[B, T, H, W, 3]</c> (channels last,
/// as a decoder writes RGB frames) and sampled frames as <c>[B, n, H, W, 3]</c>, either uint8 or a
/// floating type holding the same 0–255 scale. Checks shapes and names the problem when they are wrong.
/// </summary>
public static class ClipTensor
{
    /// <summary>Checks a <c>[B, N, H, W, 3]</c> tensor and returns its sizes.</summary>
    public static (int Batch, int Count, int Height, int Width) Check(Tensor x, string name)
    {
        long[] s = x.shape;
        if (s.Length != 5 || s[4] != 3)
            throw new ArgumentException($"{name} must be [B, N, H, W, 3] (RGB, channels last), got [{string.Join(", ", s)}]", name);
        if (x.dtype != ScalarType.Byte && !x.dtype.IsFloatingPoint())
            throw new ArgumentException($"{name} must be uint8 or floating point (0-255 scale), got {x.dtype}", name);
        if (s[0] < 1 || s[1] < 1 || s[2] < 1 || s[3] < 1)
            throw new ArgumentException($"{name} is empty: [{string.Join(", ", s)}]", name);
        return ((int)s[0], (int)s[1], (int)s[2], (int)s[3]);
    }

    /// <summary>
    /// Crops <paramref name="box"/> out of <c>images [N, H, W, 3]</c> and resizes it to
    /// <c>[N, 3, outHeight, outWidth]</c>, or <c>[3, N, outHeight, outWidth]</c> with
    /// <paramref name="channelsFirst"/> (the clip layout C, T, H, W): float32 on the 0–255 scale,
    /// on the input's device.
    /// </summary>
    public static Tensor CropResize(Tensor images, CropBox box, int outHeight, int outWidth, InterpolationMode mode, bool antialias,
        bool channelsFirst = false)
    {
        if (images.dim() != 4) throw new ArgumentException($"images must be [N, H, W, 3], got [{string.Join(", ", images.shape)}]", nameof(images));
        using var scope = torch.NewDisposeScope();
        Tensor planar = CropResizePlanar(images, box, outHeight, outWidth, mode, antialias, flip: false); // [3, N, S_h, S_w]
        return scope.MoveToOuter(channelsFirst ? planar : planar.permute(1, 0, 2, 3).contiguous());
    }

    /// <summary>
    /// The crop primitive of every view: crops <paramref name="box"/> out of <c>images [N, H, W, 3]</c>
    /// (uint8 or float, any strides), resizes it, and mirrors it when <paramref name="flip"/> is set.
    /// Returns a new float32 tensor <c>[3, N, outHeight, outWidth]</c> on the 0–255 scale that the
    /// caller owns (never a view of <paramref name="images"/>). Bicubic overshoot is clamped to
    /// [0, 255], as PIL and torchvision do for 8-bit images. The channel-first order is the clip
    /// layout C, T, H, W, so the result drops into a <c>[B, 3, T, S, S]</c> batch row with a plain copy.
    /// On the CPU this is one native pass (<see cref="AugmentKernels.crop_resize_into"/>); on other
    /// devices the libtorch ops of <see cref="CropResizePlanarWithTorchOps"/>.
    /// </summary>
    public static Tensor CropResizePlanar(Tensor images, CropBox box, int outHeight, int outWidth, InterpolationMode mode, bool antialias,
        bool flip)
    {
        CheckCrop(images, box, outHeight, outWidth);
        if (images.device.Type != DeviceType.CPU) return CropResizePlanarWithTorchOps(images, box, outHeight, outWidth, mode, antialias, flip);
        Tensor result = torch.empty([3, images.size(0), outHeight, outWidth], ScalarType.Float32, images.device);
        try
        {
            CropResizeOnCpu(images, box, result, mode, antialias, flip, Identity, Zero);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <see cref="CropResizePlanar"/> with libtorch ops, on any device: the path for GPU tensors
    /// (and the reference the CPU kernel is checked against). The crop is made planar as
    /// <c>[3, N, h, w]</c> in its own element type (uint8: a quarter of the bytes), only the crop
    /// is converted to float32, then interpolated; mirroring runs on whichever of the crop and the
    /// output has fewer pixels (it commutes with the resize, whose taps are symmetric).
    /// </summary>
    public static Tensor CropResizePlanarWithTorchOps(Tensor images, CropBox box, int outHeight, int outWidth, InterpolationMode mode,
        bool antialias, bool flip)
    {
        CheckCrop(images, box, outHeight, outWidth);
        using var scope = torch.NewDisposeScope();
        Tensor view = images.narrow(1, box.Top, box.Height).narrow(2, box.Left, box.Width).permute(3, 0, 1, 2); // [3, N, h, w] strided
        bool resize = box.Height != outHeight || box.Width != outWidth;
        bool flipFirst = flip && (long)box.Height * box.Width < (long)outHeight * outWidth;
        Tensor r = view.contiguous(); // [3, N, h, w] planar, still in the input's type
        if (flipFirst) r = r.flip(-1);
        if (r.dtype != ScalarType.Float32) r = r.to(ScalarType.Float32);
        else if (!resize && !flip) r = r.clone(); // never hand out the caller's storage
        if (resize)
        {
            r = torch.nn.functional.interpolate(r, [outHeight, outWidth], mode, align_corners: false, antialias: antialias); // [3, N, S_h, S_w]
            if (mode == InterpolationMode.Bicubic) r = r.clamp(0, 255);
        }
        if (flip && !flipFirst) r = r.flip(-1);
        return scope.MoveToOuter(r);
    }

    /// <summary>
    /// <see cref="CropResizePlanar"/> written into <c>destination [3, N, S_h, S_w]</c> (any view of
    /// that shape, e.g. one clip of a [B, 3, T, S, S] batch), normalised on the way when
    /// <paramref name="normalize"/> is given (else on the 0–255 scale). The destination is float32,
    /// or on the CPU also uint8 (the 0–255 values rounded half to even; no normalisation then).
    /// On the CPU the crop is read once and the destination written once (one native pass).
    /// </summary>
    public static void CropResizeInto(Tensor images, CropBox box, Tensor destination, InterpolationMode mode, bool antialias, bool flip,
        Normalize? normalize)
    {
        long[] d = destination.shape;
        bool cpu = images.device.Type == DeviceType.CPU;
        bool bytes = cpu && destination.dtype == ScalarType.Byte && normalize is null;
        if (d.Length != 4 || d[0] != 3 || images.dim() != 4 || d[1] != images.size(0) || !(destination.dtype == ScalarType.Float32 || bytes))
            throw new ArgumentException($"destination must be float32 [3, {(images.dim() == 4 ? images.size(0) : -1)}, S, S] " +
                $"(or uint8 on the CPU, without normalisation), got {destination}", nameof(destination));
        if (normalize is not null && normalize.Mean.Count != 3)
            throw new ArgumentException("the normalisation must have 3 channels", nameof(normalize));
        if (cpu && destination.device.Type == DeviceType.CPU)
        {
            CheckCrop(images, box, (int)d[2], (int)d[3]);
            double[] scale = Identity, shift = Zero;
            if (normalize is not null)
            {
                scale = new double[3];
                shift = new double[3];
                for (int c = 0; c < 3; c++) (scale[c], shift[c]) = normalize.Affine(c);
            }
            CropResizeOnCpu(images, box, destination, mode, antialias, flip, scale, shift);
            return;
        }
        using var scope = torch.NewDisposeScope();
        Tensor r = CropResizePlanarWithTorchOps(images, box, (int)d[2], (int)d[3], mode, antialias, flip); // [3, N, S_h, S_w]
        if (normalize is not null) normalize.WriteInto(r, destination, channelDim: 0);
        else destination.copy_(r);
    }

    private static readonly double[] Identity = [1, 1, 1], Zero = [0, 0, 0];

    private static void CheckCrop(Tensor images, CropBox box, int outHeight, int outWidth)
    {
        long[] s = images.shape;
        if (s.Length != 4 || s[3] != 3)
            throw new ArgumentException($"images must be [N, H, W, 3], got [{string.Join(", ", s)}]", nameof(images));
        if (!box.FitsIn((int)s[1], (int)s[2]))
            throw new ArgumentOutOfRangeException(nameof(box), box, $"crop box does not fit a {s[1]}x{s[2]} image");
        if (outHeight < 1 || outWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(outHeight), $"output size {outHeight}x{outWidth} must be positive");
    }

    // The native kernel reads uint8 or float32; other floating types (0–255 scale) are converted first.
    private static void CropResizeOnCpu(Tensor images, CropBox box, Tensor destination, InterpolationMode mode, bool antialias, bool flip,
        double[] scale, double[] shift)
    {
        if (images.dtype is ScalarType.Byte or ScalarType.Float32)
        {
            AugmentKernels.crop_resize_into(images, box.Top, box.Left, box.Height, box.Width, destination, mode, antialias, flip, scale, shift);
            return;
        }
        using Tensor converted = images.to(ScalarType.Float32);
        AugmentKernels.crop_resize_into(converted, box.Top, box.Left, box.Height, box.Width, destination, mode, antialias, flip, scale, shift);
    }
}
