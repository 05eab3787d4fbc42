using CrossVideoMAE.Torch;

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
        long n = images.dim() == 4 ? images.size(0) : throw new ArgumentException($"images must be [N, H, W, 3], got [{string.Join(", ", images.shape)}]", nameof(images));
        using var scope = torch.NewDisposeScope();
        Tensor result = channelsFirst
            ? torch.empty([3, n, outHeight, outWidth], ScalarType.Float32, images.device)
            : torch.empty([n, 3, outHeight, outWidth], ScalarType.Float32, images.device);
        CropResizeInto(images, box, channelsFirst ? result : result.permute(1, 0, 2, 3), mode, antialias, flip: false, normalize: null);
        return scope.MoveToOuter(result);
    }

    /// <summary>
    /// The crop primitive of every view: crops <paramref name="box"/> out of <c>images [N, H, W, 3]</c>
    /// (uint8 or float, any strides), makes the crop planar in its own element type and converts
    /// only the crop to float32, resizes it to the destination's size, normalises it when
    /// <paramref name="normalize"/> is given (else it stays on the 0–255 scale), mirrors it when
    /// <paramref name="flip"/> is set, and writes it into <c>destination [3, N, S_h, S_w]</c> (any
    /// float32 view of that shape, e.g. one clip of a [B, 3, T, S, S] batch). Bicubic overshoot is
    /// clamped to [0, 255] first, as PIL and torchvision do for 8-bit images.
    /// </summary>
    public static void CropResizeInto(Tensor images, CropBox box, Tensor destination, InterpolationMode mode, bool antialias, bool flip,
        Normalize? normalize)
    {
        long[] s = images.shape;
        if (s.Length != 4 || s[3] != 3)
            throw new ArgumentException($"images must be [N, H, W, 3], got [{string.Join(", ", s)}]", nameof(images));
        if (!box.FitsIn((int)s[1], (int)s[2]))
            throw new ArgumentOutOfRangeException(nameof(box), box, $"crop box does not fit a {s[1]}x{s[2]} image");
        long[] d = destination.shape;
        if (d.Length != 4 || d[0] != 3 || d[1] != s[0] || destination.dtype != ScalarType.Float32)
            throw new ArgumentException($"destination must be float32 [3, {s[0]}, S, S], got {destination}", nameof(destination));
        if (normalize is not null && normalize.Mean.Count != 3)
            throw new ArgumentException("the normalisation must have 3 channels", nameof(normalize));
        using var scope = torch.NewDisposeScope();
        Tensor view = images.narrow(1, box.Top, box.Height).narrow(2, box.Left, box.Width).permute(0, 3, 1, 2); // [N, 3, h, w] strided
        bool resize = box.Height != d[2] || box.Width != d[3];
        Tensor r = view.contiguous(); // planar, still in the input's type (uint8: a quarter of the bytes)
        if (r.dtype != ScalarType.Float32) r = r.to(ScalarType.Float32);
        else if (!resize && view.is_contiguous()) r = r.clone(); // never normalise the caller's storage in place
        if (resize)
        {
            r = torch.nn.functional.interpolate(r, [d[2], d[3]], mode, align_corners: false, antialias: antialias); // [N, 3, S_h, S_w]
            if (mode == InterpolationMode.Bicubic) r = r.clamp(0, 255);
        }
        if (normalize is not null) normalize.ApplyInPlace(r, channelDim: 1);
        if (flip) r = r.flip(-1);
        destination.permute(1, 0, 2, 3).copy_(r);
    }
}
