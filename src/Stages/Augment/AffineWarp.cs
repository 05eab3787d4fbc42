using CrossVideoMAE.Torch;
using CrossVideoMAE.Stages.Augment.Native;

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

    /// <summary>
    /// Warps <c>x [N, C, T, H, W]</c> with one inverse matrix; returns a new tensor. The pixel each
    /// output pixel takes is worked out once for the H x W grid (<see cref="SourceIndex"/>), then
    /// every plane is gathered with it: the same pixels grid_sample (nearest, zero padding) picks,
    /// without sampling each of the N·C·T planes. uint8 clips on the CPU are gathered by one native
    /// pass (<see cref="AugmentKernels.gather_columns_into"/>, the map kept for the next clips),
    /// others by index_select.
    /// </summary>
    public static Tensor Apply(Tensor x, double[] inverse)
    {
        long[] s = x.shape;
        if (s.Length != 5) throw new ArgumentException($"expected clips [N, C, T, H, W], got [{string.Join(", ", s)}]", nameof(x));
        int h = (int)s[3], w = (int)s[4];
        using var scope = torch.NewDisposeScope();
        Tensor planes = x.reshape(s[0] * s[1] * s[2], (long)h * w); // [R, H·W]
        if (x.dtype == ScalarType.Byte && x.device.Type == DeviceType.CPU)
        {
            // uint8 clips on the CPU (the feed's RandAugment): one native pass through the cached map.
            Tensor moved = torch.empty(planes.shape, ScalarType.Byte);
            AugmentKernels.gather_columns_into(planes, CpuGatherMap(inverse, h, w), moved);
            return scope.MoveToOuter(moved.reshape(s));
        }
        (Tensor index, Tensor outside) = SourceIndex(inverse, h, w, x.device); // [H·W] int64, [1, H·W] bool
        Tensor warped = planes.index_select(1, index);                          // [R, H·W]
        // Zero what falls outside: multiplying in place by a 0/1 row is a fraction of the cost of a
        // broadcast masked_fill (the values are finite pixel levels, so 0 · v = 0).
        warped.mul_(outside.logical_not().to(x.dtype));
        return scope.MoveToOuter(warped.reshape(s));
    }

    // RandAugment warps with a handful of matrices (rotate, shear x and y at ± the magnitude), so the
    // CPU path keeps the map of each (matrix, size): the source index with -1 where the pixel is
    // zeroed, int64 [H·W]. Up to MapCacheSize maps are kept for the process's life and never
    // replaced (a map may be in use on another thread); others are computed per call.
    private const int MapCacheSize = 32;
    private static readonly Dictionary<(double, double, double, double, double, double, int, int), Tensor> MapCache = [];

    private static Tensor CpuGatherMap(double[] inverse, int h, int w)
    {
        var key = (inverse[0], inverse[1], inverse[2], inverse[3], inverse[4], inverse[5], h, w);
        lock (MapCache)
            if (MapCache.TryGetValue(key, out Tensor? cached)) return cached;
        Tensor map;
        using (var scope = torch.NewDisposeScope())
        {
            (Tensor index, Tensor outside) = SourceIndex(inverse, h, w, Device.CPU);
            map = scope.MoveToOuter(index.masked_fill(outside.squeeze(0), -1)); // [H·W]
        }
        lock (MapCache)
        {
            if (MapCache.TryGetValue(key, out Tensor? other))
            {
                map.Dispose();
                return other;
            }
            if (MapCache.Count >= MapCacheSize) return map; // the caller's scope frees it
            MapCache[key] = map.DetachFromDisposeScope();
            return map;
        }
    }

    /// <summary>
    /// For an H x W image and an inverse matrix: the flat source index (y·W + x) of each output
    /// pixel <c>[H·W]</c> int64, and which output pixels fall outside the image <c>[1, H·W]</c> bool
    /// (their index is clamped and their value must be zero). Computed like grid_sample with
    /// nearest sampling and align_corners = false: affine_grid's normalised coordinate g becomes
    /// the pixel coordinate (g + 1)·W/2 - 0.5, rounded half to even.
    /// </summary>
    public static (Tensor Index, Tensor Outside) SourceIndex(double[] inverse, int height, int width, Device device)
    {
        if (inverse.Length != 6) throw new ArgumentException("an affine matrix has 6 entries", nameof(inverse));
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), $"image size {height}x{width} must be positive");
        long h = height, w = width;
        using var scope = torch.NewDisposeScope();
        // Pixel units around the centre -> affine_grid's [-1, 1] units (align_corners = false).
        float[] theta =
        [
            (float)inverse[0], (float)(inverse[1] * h / w), (float)(inverse[2] * 2 / w),
            (float)(inverse[3] * w / h), (float)inverse[4], (float)(inverse[5] * 2 / h),
        ];
        Tensor t = torch.tensor(theta, 1, 2, 3).to(device); // [1, 2, 3]
        Tensor grid = torch.nn.functional.affine_grid(t, [1, 1, h, w], align_corners: false).reshape(h * w, 2); // [H·W, 2]
        Tensor ix = (grid.select(1, 0) + 1).mul_(w / 2.0).add_(-0.5).round(); // [H·W] source column
        Tensor iy = (grid.select(1, 1) + 1).mul_(h / 2.0).add_(-0.5).round(); // [H·W] source row
        Tensor inside = ix.ge(0) & ix.le(w - 1) & iy.ge(0) & iy.le(h - 1);
        Tensor index = (iy.clamp(0, h - 1) * w + ix.clamp(0, w - 1)).to(ScalarType.Int64);
        return (scope.MoveToOuter(index), scope.MoveToOuter(inside.logical_not().unsqueeze(0)));
    }
}
