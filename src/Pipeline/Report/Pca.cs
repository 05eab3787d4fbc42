namespace CrossVideoMAE.Pipeline.Report;

/// <summary>
/// Principal component analysis of a few hundred embeddings, for a 2-D map: the rows are centred, the
/// symmetric eigenproblem is solved by cyclic Jacobi rotations on the smaller of the Gram matrix
/// X Xᵀ [N, N] and the covariance Xᵀ X [D, D], and each row is projected on the leading components.
/// Each component's sign is fixed so that its largest-magnitude loading (over the D dimensions) is
/// positive, as a reader comparing two runs would expect.
/// </summary>
public static class Pca
{
    /// <summary>Coordinates [N, k] of the centred rows of <paramref name="x"/> [N, D] on the first k principal
    /// components, and the variance each explains (eigenvalue / (N - 1)).</summary>
    public static (double[][] Coordinates, double[] Variance) Project(double[][] x, int k = 2)
    {
        int n = x.Length;
        if (n < 2) throw new ArgumentException($"PCA needs at least 2 rows (got {n})");
        int d = x[0].Length;
        if (x.Any(r => r.Length != d)) throw new ArgumentException("PCA rows differ in length");
        if (k < 1 || k > Math.Min(n, d)) throw new ArgumentException($"k = {k} components of a {n} x {d} matrix");
        var c = new double[n][];
        var mean = new double[d];
        foreach (double[] r in x) for (int j = 0; j < d; j++) mean[j] += r[j] / n;
        for (int i = 0; i < n; i++) { c[i] = new double[d]; for (int j = 0; j < d; j++) c[i][j] = x[i][j] - mean[j]; }

        bool gram = n <= d;
        int m = gram ? n : d;
        var a = new double[m, m];
        for (int p = 0; p < m; p++)
            for (int q = p; q < m; q++)
            {
                double s = 0;
                if (gram) for (int j = 0; j < d; j++) s += c[p][j] * c[q][j];
                else for (int i = 0; i < n; i++) s += c[i][p] * c[i][q];
                a[p, q] = a[q, p] = s;
            }
        var (values, vectors) = SymmetricEigen(a);
        int[] order = Enumerable.Range(0, m).OrderByDescending(i => values[i]).Take(k).ToArray();

        // Loadings [D] of each component: the covariance eigenvector, or Xᵀ u normalised from a Gram eigenvector.
        var loadings = new double[k][];
        for (int t = 0; t < k; t++)
        {
            int e = order[t];
            var v = new double[d];
            if (gram) { for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) v[j] += c[i][j] * vectors[i, e]; }
            else for (int j = 0; j < d; j++) v[j] = vectors[j, e];
            double norm = Math.Sqrt(v.Sum(z => z * z));
            int big = 0;
            for (int j = 0; j < d; j++) if (Math.Abs(v[j]) > Math.Abs(v[big])) big = j;
            double sign = v[big] < 0 ? -1 : 1;
            for (int j = 0; j < d; j++) v[j] = norm > 0 ? sign * v[j] / norm : 0;
            loadings[t] = v;
        }
        var coords = new double[n][];
        for (int i = 0; i < n; i++)
        {
            coords[i] = new double[k];
            for (int t = 0; t < k; t++) { double s = 0; for (int j = 0; j < d; j++) s += c[i][j] * loadings[t][j]; coords[i][t] = s; }
        }
        return (coords, order.Select(e => Math.Max(0, values[e]) / (n - 1)).ToArray());
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.</summary>
    internal static (double[] Values, double[,] Vectors) SymmetricEigen(double[,] input)
    {
        int m = input.GetLength(0);
        var a = (double[,])input.Clone();
        var v = new double[m, m];
        for (int i = 0; i < m; i++) v[i, i] = 1;
        double total = 0;
        for (int p = 0; p < m; p++) for (int q = 0; q < m; q++) total += a[p, q] * a[p, q];
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < m; p++) for (int q = p + 1; q < m; q++) off += a[p, q] * a[p, q];
            if (off <= 1e-26 * Math.Max(total, 1e-300)) break;
            for (int p = 0; p < m; p++)
                for (int q = p + 1; q < m; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double cos = 1 / Math.Sqrt(t * t + 1), sin = t * cos;
                    for (int r = 0; r < m; r++)
                    {
                        double arp = a[r, p], arq = a[r, q];
                        a[r, p] = cos * arp - sin * arq;
                        a[r, q] = sin * arp + cos * arq;
                    }
                    for (int r = 0; r < m; r++)
                    {
                        double apr = a[p, r], aqr = a[q, r];
                        a[p, r] = cos * apr - sin * aqr;
                        a[q, r] = sin * apr + cos * aqr;
                    }
                    for (int r = 0; r < m; r++)
                    {
                        double vrp = v[r, p], vrq = v[r, q];
                        v[r, p] = cos * vrp - sin * vrq;
                        v[r, q] = sin * vrp + cos * vrq;
                    }
                }
        }
        var values = new double[m];
        for (int i = 0; i < m; i++) values[i] = a[i, i];
        return (values, v);
    }
}
