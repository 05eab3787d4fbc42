using System.Globalization;
using System.Text.Json;
using CrossVideoMAE.Pipeline.Report;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public sealed class ReportPcaTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-pca");

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData(40, 6, 1)]      // more rows than dimensions: the covariance path
    [InlineData(9, 30, 2)]      // fewer rows than dimensions: the Gram path
    public void Projection_matches_numpy(int n, int d, int seed)
    {
        var rng = new Random(seed);
        // Anisotropic data so the components are well separated: dimension j scaled by 1 / (1 + j).
        double[][] x = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, d).Select(j => (rng.NextDouble() * 2 - 1) * 3 / (1 + j) + 0.5 * j).ToArray()).ToArray();
        var (coords, variance) = Pca.Project(x, 2);

        File.WriteAllText(dir.File("x.json"), JsonSerializer.Serialize(x));
        const string script = """
import json, numpy as np
x = np.array(json.load(open('x.json')))
c = x - x.mean(0)
u, s, vt = np.linalg.svd(c, full_matrices=False)
v = vt[:2]
v = v * np.sign(v[np.arange(2), np.abs(v).argmax(1)])[:, None]   # largest loading positive
print(json.dumps({'coords': (c @ v.T).tolist(), 'variance': (s[:2] ** 2 / (len(x) - 1)).tolist(),
                  'total': float(c.var(0, ddof=1).sum())}))
""";
        File.WriteAllText(dir.File("pca.py"), script);
        using JsonDocument doc = JsonDocument.Parse(ProcessRunner.Run(PyTorchReference.Python, [dir.File("pca.py")], workDir: dir.Path));
        double[][] expected = doc.RootElement.GetProperty("coords").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        double[] expectedVariance = doc.RootElement.GetProperty("variance").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 2; k++)
                Assert.True(Math.Abs(coords[i][k] - expected[i][k]) < 1e-8, string.Create(CultureInfo.InvariantCulture, $"row {i} PC{k + 1}: {coords[i][k]} vs numpy {expected[i][k]}"));
        for (int k = 0; k < 2; k++) Assert.Equal(expectedVariance[k], variance[k], 1e-8);
        Assert.Equal(doc.RootElement.GetProperty("total").GetDouble(), EncoderEmbeddings.TotalVariance(x), 1e-8);
    }

    [Fact]
    public void Too_few_rows_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => Pca.Project([[1.0, 2.0]], 2));
        Assert.Throws<ArgumentException>(() => Pca.Project([[1.0, 2.0], [3.0]], 1));
    }
}
