using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Vit;

/// <summary>
/// Fixed sin-cos positional tables (MAE's formulation). A 1-D table of width D at positions p:
/// omega_i = 1 / 10000^(i / (D/2)) for i &lt; D/2, row = [sin(p*omega), cos(p*omega)]. The 2-D table
/// concatenates the 1-D table of the row index (first D/2 columns) and of the column index (last D/2).
/// The video table is separable: the 2-D spatial table plus the 1-D temporal table, added.
/// </summary>
public static class SinCos
{
    /// <summary>[n, dim] for positions 0..n-1.</summary>
    public static double[,] Table1d(long n, long dim)
    {
        if (dim % 2 != 0) throw new ArgumentException($"a 1-D sin-cos table needs an even width, got {dim}");
        long half = dim / 2;
        var t = new double[n, dim];
        for (long p = 0; p < n; p++)
            for (long i = 0; i < half; i++)
            {
                double omega = 1.0 / Math.Pow(10000.0, i / (double)half);
                t[p, i] = Math.Sin(p * omega);
                t[p, half + i] = Math.Cos(p * omega);
            }
        return t;
    }

    /// <summary>[h*w, dim], row r*w + c = [Table1d(h)[r] of width dim/2, Table1d(w)[c] of width dim/2].</summary>
    public static double[,] Table2d(long h, long w, long dim)
    {
        if (dim % 4 != 0) throw new ArgumentException($"a 2-D sin-cos table needs a width divisible by 4, got {dim}");
        long half = dim / 2;
        double[,] rows = Table1d(h, half), cols = Table1d(w, half);
        var t = new double[h * w, dim];
        for (long r = 0; r < h; r++)
            for (long c = 0; c < w; c++)
                for (long i = 0; i < half; i++)
                {
                    t[r * w + c, i] = rows[r, i];
                    t[r * w + c, half + i] = cols[c, i];
                }
        return t;
    }

    /// <summary>[1, L, dim] float32 for a grid: the 2-D table for images; for video, token (t, s) gets
    /// spatial[s] + temporal[t].</summary>
    public static Tensor ForGrid(TokenGrid grid, long dim)
    {
        double[,] spatial = Table2d(grid.H, grid.W, dim);
        double[,]? temporal = grid.HasTime ? Table1d(grid.T, dim) : null;
        var values = new float[grid.Length * dim];
        for (long t = 0; t < grid.T; t++)
            for (long s = 0; s < grid.Spatial; s++)
                for (long d = 0; d < dim; d++)
                    values[((t * grid.Spatial) + s) * dim + d] = (float)(spatial[s, d] + (temporal?[t, d] ?? 0.0));
        return torch.tensor(values, 1, grid.Length, dim);
    }
}
