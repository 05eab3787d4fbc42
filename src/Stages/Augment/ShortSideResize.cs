using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// Resizes images so that the shorter side becomes <see cref="ShortSide"/>, keeping the aspect
/// ratio (long side = floor(size · long / short), as torchvision's Resize with an int size).
/// Bilinear; antialiased when it shrinks (torchvision's default for Resize), which for enlarging
/// makes no difference.
/// </summary>
public sealed class ShortSideResize
{
    public ShortSideResize(int shortSide = 256)
    {
        if (shortSide < 1) throw new ArgumentOutOfRangeException(nameof(shortSide), shortSide, "short side must be positive");
        ShortSide = shortSide;
    }

    public int ShortSide { get; }

    /// <summary>The (height, width) an image of the given size is resized to.</summary>
    public (int Height, int Width) OutputSize(int height, int width)
    {
        if (height <= width) return (ShortSide, (int)((long)ShortSide * width / height));
        return ((int)((long)ShortSide * height / width), ShortSide);
    }

    /// <summary>
    /// <c>[..., H, W, 3]</c> (uint8 or float, 0–255) to <c>[..., H', W', 3]</c> float32. Returns the
    /// input itself (a new handle to it) when it already has the target size.
    /// </summary>
    public Tensor Apply(Tensor images)
    {
        long[] s = images.shape;
        if (s.Length < 3 || s[^1] != 3)
            throw new ArgumentException($"images must be [..., H, W, 3], got [{string.Join(", ", s)}]", nameof(images));
        int h = (int)s[^3], w = (int)s[^2];
        (int oh, int ow) = OutputSize(h, w);
        if (oh == h && ow == w) return images.alias();

        using var scope = torch.NewDisposeScope();
        long n = 1;
        for (int i = 0; i < s.Length - 3; i++) n *= s[i];
        Tensor planar = torch.empty([n, 3, h, w], ScalarType.Float32, images.device)
            .copy_(images.reshape(n, h, w, 3).permute(0, 3, 1, 2)); // [N, 3, H, W]
        bool shrinks = oh < h || ow < w;
        Tensor resized = torch.nn.functional.interpolate(planar, [oh, ow], InterpolationMode.Bilinear, align_corners: false, antialias: shrinks); // [N, 3, H', W']
        long[] outShape = [.. s[..^3], oh, ow, 3];
        Tensor result = resized.permute(0, 2, 3, 1).reshape(outShape); // [..., H', W', 3]
        return scope.MoveToOuter(result);
    }
}
