using Xunit;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>Element-wise comparison of tensors: same shape, |actual - expected| &lt;= atol + rtol |expected|.</summary>
internal static class Close
{
    public static void Assert(Tensor expected, Tensor? actual, string what, double atol = 1e-10, double rtol = 1e-8)
    {
        Xunit.Assert.NotNull(actual);
        Xunit.Assert.True(expected.shape.SequenceEqual(actual!.shape),
            $"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        double[] e = Values(expected), a = Values(actual);
        for (int i = 0; i < e.Length; i++)
        {
            double diff = Math.Abs(a[i] - e[i]);
            if (!(diff <= atol + rtol * Math.Abs(e[i])) && !(double.IsNaN(e[i]) && double.IsNaN(a[i])))
                Xunit.Assert.Fail($"{what}: element {i} is {a[i]:R}, expected {e[i]:R} (difference {diff:E2})");
        }
    }

    /// <summary>Bit-for-bit equality of values and shapes.</summary>
    public static void Exact(Tensor expected, Tensor actual, string what)
    {
        Xunit.Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shapes differ");
        Xunit.Assert.Equal(expected.dtype, actual.dtype);
        Xunit.Assert.Equal(Values(expected), Values(actual));
    }

    public static double[] Values(Tensor t)
    {
        using Tensor d = t.detach().to(ScalarType.Float64);
        return d.ToArray<double>();
    }
}
