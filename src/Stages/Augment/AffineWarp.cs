using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// The geometric operations of RandAugment (rotate, shear, translate) as torchvision's tensor
/// <c>affine</c>/<c>rotate</c> compute them: an inverse affine matrix in pixel units whose origin
/// is the image centre (pixel centres at j + 0.5 - W/2), nearest-neighbour sampling, zero fill
/// outside the image, output the same size. One matrix per call, shared by every frame and
/// channel of every clip passed in.
/// </summary>
public static class AffineWarp
{
    /// <summary>
    /// torchvision's _get_inverse_affine_matrix: the map from output to input pixel coordinates
    /// (relative to the image centre) of the transform "translate · centre · rotate·shear · centre⁻¹".
    /// Angle and shears in degrees. Returns [a, b, c, d, e, f]: x_in = a·x + b·y + c, y_in = d·x + e·y + f.
    /// </summary>
    public static double[] InverseMatrix(double centerX, double centerY, double angle, double translateX, double translateY,
        double scale, double shearX, double shearY)
    {
        double rot = angle * Math.PI / 180, sx = shearX * Math.PI / 180, sy = shearY * Math.PI / 180;
        double a = Math.Cos(rot - sy) / Math.Cos(sy);
        double b = -Math.Cos(rot - sy) * Math.Tan(sx) / Math.Cos(sy) - Math.Sin(rot);
        double c = Math.Sin(rot - sy) / Math.Cos(sy);
        double d = -Math.Sin(rot - sy) * Math.Tan(sx) / Math.Cos(sy) + Math.Cos(rot);
        double[] m = [d / scale, -b / scale, 0, -c / scale, a / scale, 0];
        m[2] += m[0] * (-centerX - translateX) + m[1] * (-centerY - translateY);
        m[5] += m[3] * (-centerX - translateX) + m[4] * (-centerY - translateY);
        m[2] += centerX;
        m[5] += centerY;
        return m;
    }

    /// <summary>torchvision's rotate(angle): counter-clockwise by <paramref name="degrees"/> about the centre.</summary>
    public static double[] Rotate(double degrees) => InverseMatrix(0, 0, -degrees, 0, 0, 1, 0, 0);

    /// <summary>RandAugment's ShearX: x_in = x + m·y about the top-left corner (shear angle atan(m)).</summary>
    public static double[] ShearX(double magnitude, int height, int width) =>
        InverseMatrix(-width * 0.5, -height * 0.5, 0, 0, 0, 1, Math.Atan(magnitude) * 180 / Math.PI, 0);

    /// <summary>RandAugment's ShearY: y_in = y + m·x about the top-left corner.</summary>
    public static double[] ShearY(double magnitude, int height, int width) =>
        InverseMatrix(-width * 0.5, -height * 0.5, 0, 0, 0, 1, 0, Math.Atan(magnitude) * 180 / Math.PI);

    /// <summary>Moves the content by (dx, dy) pixels (positive: right, down).</summary>
    public static double[] Translate(double dx, double dy) => InverseMatrix(0, 0, 0, dx, dy, 1, 0, 0);

    /// <summary>
    /// Moves the content of <c>x [N, C, T, H, W]</c> by whole pixels (positive: right, down), zeros
    /// where nothing moves in: what the nearest-neighbour warp with <see cref="Translate"/> gives
    /// for integer shifts, by slicing instead of sampling.
    /// </summary>
    public static Tensor Shift(Tensor x, int dx, int dy)
    {
        long[] s = x.shape;
        if (s.Length != 5) throw new ArgumentException($"expected clips [N, C, T, H, W], got [{string.Join(", ", s)}]", nameof(x));
        long h = s[3], w = s[4];
        using var scope = torch.NewDisposeScope();
        Tensor result = torch.zeros(s, x.dtype, x.device);
        if (Math.Abs(dx) < w && Math.Abs(dy) < h)
        {
            long rows = h - Math.Abs(dy), cols = w - Math.Abs(dx);
            Tensor src = x.narrow(3, Math.Max(-dy, 0), rows).narrow(4, Math.Max(-dx, 0), cols);
            result.narrow(3, Math.Max(dy, 0), rows).narrow(4, Math.Max(dx, 0), cols).copy_(src);
        }
        return scope.MoveToOuter(result);
    }

    /// <summary>Warps <c>x [N, C, T, H, W]</c> (float) with one inverse matrix; returns a new tensor.</summary>
    public static Tensor Apply(Tensor x, double[] inverse)
    {
        long[] s = x.shape;
        if (s.Length != 5) throw new ArgumentException($"expected clips [N, C, T, H, W], got [{string.Join(", ", s)}]", nameof(x));
        if (inverse.Length != 6) throw new ArgumentException("an affine matrix has 6 entries", nameof(inverse));
        long h = s[3], w = s[4];
        using var scope = torch.NewDisposeScope();
        // Pixel units around the centre -> affine_grid's [-1, 1] units (align_corners = false).
        float[] theta =
        [
            (float)inverse[0], (float)(inverse[1] * h / w), (float)(inverse[2] * 2 / w),
            (float)(inverse[3] * w / h), (float)inverse[4], (float)(inverse[5] * 2 / h),
        ];
        Tensor t = torch.tensor(theta, 1, 2, 3).to(x.device, x.dtype); // [1, 2, 3]
        Tensor planes = x.reshape(1, s[0] * s[1] * s[2], h, w); // [1, N·C·T, H, W]: all share the grid
        Tensor grid = torch.nn.functional.affine_grid(t, [1, planes.size(1), h, w], align_corners: false); // [1, H, W, 2]
        Tensor warped = torch.nn.functional.grid_sample(planes, grid, GridSampleMode.Nearest, GridPadding.Zeros, align_corners: false);
        return scope.MoveToOuter(warped.reshape(s));
    }
}
