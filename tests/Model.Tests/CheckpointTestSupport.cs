using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

/// <summary>Comparisons and PyTorch fixtures shared by the checkpoint tests.</summary>
internal static class CheckpointTestSupport
{
    /// <summary>Runs a PyTorch script in <paramref name="dir"/> (it can `import st`) and returns its stdout.</summary>
    public static string Python(TempDir dir, string script) => PyTorchReference.Run(script, dir.Path);

    /// <summary>Runs several independent scripts in one Python process (importing torch once costs seconds),
    /// each in its own namespace, and returns each one's stdout.</summary>
    public static string[] PythonSections(TempDir dir, params string[] sections)
    {
        const string Separator = "----- section end -----";
        for (int i = 0; i < sections.Length; i++) File.WriteAllText(dir.File($"section_{i}.py"), sections[i]);
        string driver = $$"""
            import runpy
            for i in range({{sections.Length}}):
                runpy.run_path('section_%d.py' % i, run_name='__main__')
                print('{{Separator}}', flush=True)
            """;
        string output = Python(dir, driver);
        string[] parts = output.Split(Separator + "\n");
        Assert.Equal(sections.Length + 1, parts.Length);
        return parts[..^1].Select(p => p.Trim()).ToArray();
    }

    /// <summary>Loads a safetensors file written by the Python side (tests/TestSupport/python/st.py).</summary>
    public static Dictionary<string, Tensor> Expected(TempDir dir, string file = "expected.safetensors") =>
        SafeTensors.Load(dir.File(file)).tensors;

    /// <summary>Same dtype, shape and bit-for-bit values (every dtype here is exact in float64 or int64).</summary>
    public static void AssertIdentical(Tensor expected, Tensor actual, string name)
    {
        Assert.True(expected.dtype == actual.dtype, $"{name}: dtype {actual.dtype}, expected {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{name}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        if (expected.dtype.IsFloatingPoint())
        {
            using Tensor e = expected.to(ScalarType.Float64), a = actual.to(ScalarType.Float64);
            Assert.Equal(e.ToArray<double>(), a.ToArray<double>());
        }
        else
        {
            using Tensor e = expected.to(ScalarType.Int64), a = actual.to(ScalarType.Int64);
            Assert.Equal(e.ToArray<long>(), a.ToArray<long>());
        }
    }

    /// <summary>Same shape and values within <paramref name="tolerance"/> (absolute).</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double tolerance, string name)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{name}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        using Tensor e = expected.to(ScalarType.Float64), a = actual.to(ScalarType.Float64);
        double[] ev = e.ToArray<double>(), av = a.ToArray<double>();
        double worst = 0;
        for (int i = 0; i < ev.Length; i++) worst = Math.Max(worst, Math.Abs(ev[i] - av[i]));
        Assert.True(worst <= tolerance, $"{name}: max abs difference {worst:G4} exceeds {tolerance:G4}");
    }

    public static void DisposeAll(IEnumerable<Tensor> tensors)
    {
        foreach (Tensor t in tensors) t.Dispose();
    }
}
