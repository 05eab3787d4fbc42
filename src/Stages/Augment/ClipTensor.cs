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
    /// <c>[N, 3, outHeight, outWidth]</c> float32 (0–255 scale) on the input's device. Only the crop
    /// is converted to float. Bicubic overshoot is clamped to [0, 255], as PIL and torchvision do
    /// for 8-bit images.
    /// </summary>
    public static Tensor CropResize(Tensor images, CropBox box, int outHeight, int outWidth, InterpolationMode mode, bool antialias)
    {
        long[] s = images.shape;
        if (s.Length != 4 || s[3] != 3)
            throw new ArgumentException($"images must be [N, H, W, 3], got [{string.Join(", ", s)}]", nameof(images));
        if (!box.FitsIn((int)s[1], (int)s[2]))
            throw new ArgumentOutOfRangeException(nameof(box), box, $"crop box does not fit a {s[1]}x{s[2]} image");
        using var scope = torch.NewDisposeScope();
        Tensor crop = images.narrow(1, box.Top, box.Height).narrow(2, box.Left, box.Width).permute(0, 3, 1, 2); // [N, 3, h, w] strided view
        Tensor planar = torch.empty([s[0], 3, box.Height, box.Width], ScalarType.Float32, images.device).copy_(crop); // [N, 3, h, w]
        Tensor result = planar;
        if (box.Height != outHeight || box.Width != outWidth)
        {
            result = torch.nn.functional.interpolate(planar, [outHeight, outWidth], mode, align_corners: false, antialias: antialias);
            if (mode == InterpolationMode.Bicubic) result = result.clamp(0, 255);
        }
        return scope.MoveToOuter(result); // [N, 3, outHeight, outWidth]
    }
}
