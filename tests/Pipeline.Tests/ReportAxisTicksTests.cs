using CrossVideoMAE.Pipeline.Report;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public sealed class ReportAxisTicksTests
{
    // The mantissa of a step: 1, 2 or 5 (times a power of ten).
    private static double Mantissa(double step) => Math.Round(step / Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9)), 6);

    [Theory]
    [InlineData(0.0002179, 0.0013, 5)]
    [InlineData(0.0, 50.75, 5)]
    [InlineData(2.31, 16.45, 4)]
    [InlineData(-3.2, 7.9, 5)]
    [InlineData(0.9990, 0.9994, 4)]
    [InlineData(1234.0, 98765.0, 5)]
    [InlineData(1e-7, 3e-6, 5)]
    public void Linear_ticks_are_multiples_of_a_1_2_5_step_and_enclose_the_data(double lo, double hi, int wanted)
    {
        double[] t = AxisTicks.Linear(lo, hi, wanted);
        double step = t[1] - t[0];
        Assert.Contains(Mantissa(step), new[] { 1.0, 2.0, 5.0 });
        Assert.True(t[0] <= lo && t[^1] >= hi, $"[{t[0]}, {t[^1]}] does not enclose [{lo}, {hi}]");
        Assert.True(t[0] > lo - step && t[^1] < hi + step, "more than one step beyond the data");
        Assert.InRange(t.Length - 1, wanted - 2, wanted + 2);
        for (int i = 0; i < t.Length; i++)
        {
            Assert.Equal(t[0] + i * step, t[i], step * 1e-9);
            double multiple = t[i] / step;
            Assert.Equal(Math.Round(multiple), multiple, 1e-6);      // every tick is k * step exactly
        }
    }

    [Fact]
    public void Labels_carry_the_decimals_the_step_needs_and_no_more()
    {
        double[] t = AxisTicks.Linear(0.0002179, 0.0013, 5);
        Assert.Equal(new[] { "0.0002", "0.0004", "0.0006", "0.0008", "0.0010", "0.0012", "0.0014" }, t.Select(v => AxisTicks.Format(v, t[1] - t[0])));
        double[] u = AxisTicks.Linear(0, 50.75, 5);
        Assert.Equal(new[] { "0", "10", "20", "30", "40", "50", "60" }, u.Select(v => AxisTicks.Format(v, u[1] - u[0])));
        Assert.Equal("2.5", AxisTicks.Format(2.5, 0.5));
        Assert.Equal("2e-5", AxisTicks.Format(2e-5, 2e-5));
        Assert.Equal("1.5e+6", AxisTicks.Format(1.5e6, 5e5));
    }

    [Fact]
    public void Log_ticks_are_decades_with_2_and_5_inside_short_spans()
    {
        Assert.Equal(new[] { 0.001, 0.01, 0.1, 1, 10, 100 }, AxisTicks.Log(0.003, 12));
        Assert.Equal(new[] { 0.1, 0.2, 0.5, 1, 2, 5, 10 }, AxisTicks.Log(0.12, 9.5));
        Assert.Equal(new[] { 1.0, 2, 5, 10 }, AxisTicks.Log(1, 10));
        Assert.Equal(new[] { 2.0, 5, 10 }, AxisTicks.Log(3, 7));
        Assert.Throws<ArgumentException>(() => AxisTicks.Log(0, 1));
    }
}
