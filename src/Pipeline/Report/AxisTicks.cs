using System.Globalization;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>
/// Tick values that read well: on a linear axis multiples of a step of 1, 2 or 5 times a power of ten
/// (the step whose tick count is nearest the wanted count, the axis widened to whole steps); on a log
/// axis the powers of ten, with 2 and 5 times them when the axis spans two decades or less.
/// </summary>
public static class AxisTicks
{
    /// <summary>The step for about <paramref name="wanted"/> intervals over [lo, hi]: 1, 2 or 5 x 10^k.</summary>
    public static double NiceStep(double lo, double hi, int wanted = 5)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi) || hi < lo) throw new ArgumentException($"bad axis range [{lo}, {hi}]");
        double span = hi - lo;
        if (span == 0) span = Math.Abs(lo) > 0 ? Math.Abs(lo) : 1;
        double raw = span / Math.Max(1, wanted);
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double best = power, bestError = double.MaxValue;
        foreach (double m in new[] { 1.0, 2.0, 5.0, 10.0 })
        {
            double step = m * power;
            double error = Math.Abs(Math.Ceiling(hi / step - 1e-9) - Math.Floor(lo / step + 1e-9) - wanted);
            if (error < bestError) (best, bestError) = (step, error);
        }
        return best;
    }

    /// <summary>Linear ticks: every multiple of <see cref="NiceStep"/> from floor(lo / step) to ceil(hi / step), so the
    /// first and last tick enclose the data.</summary>
    public static double[] Linear(double lo, double hi, int wanted = 5)
    {
        if (hi == lo) { lo -= Math.Abs(lo) > 0 ? Math.Abs(lo) / 2 : 1; hi += Math.Abs(hi) > 0 ? Math.Abs(hi) / 2 : 1; }
        double step = NiceStep(lo, hi, wanted);
        long first = (long)Math.Floor(lo / step + 1e-9), last = (long)Math.Ceiling(hi / step - 1e-9);
        var ticks = new double[last - first + 1];
        for (long i = first; i <= last; i++) ticks[i - first] = Clean(i * step, step);
        return ticks;
    }

    /// <summary>Log ticks for positive [lo, hi]: 10^k from the decade below lo to the decade above hi, with 2 x and 5 x 10^k
    /// inside when the span is two decades or less.</summary>
    public static double[] Log(double lo, double hi)
    {
        if (!(lo > 0) || !(hi >= lo) || !double.IsFinite(hi)) throw new ArgumentException($"a log axis needs 0 < lo <= hi (got [{lo}, {hi}])");
        int first = (int)Math.Floor(Math.Log10(lo) + 1e-9), last = (int)Math.Ceiling(Math.Log10(hi) - 1e-9);
        if (last == first) last++;
        bool fine = last - first <= 2;
        var ticks = new List<double>();
        for (int k = first; k <= last; k++)
        {
            double p = Math.Pow(10, k);
            ticks.Add(Clean(p, p));
            if (fine && k < last)
            {
                ticks.Add(Clean(2 * p, p));
                ticks.Add(Clean(5 * p, p));
            }
        }
        // Drop the fine ticks outside the data's decade span edges that add nothing: keep one below lo and one above hi.
        int start = ticks.FindLastIndex(t => t <= lo * (1 + 1e-9)), end = ticks.FindIndex(t => t >= hi * (1 - 1e-9));
        return ticks.GetRange(start, end - start + 1).ToArray();
    }

    /// <summary>A tick label with as many decimals as the step needs (0.0002179 never appears for a step of 0.0001:
    /// it reads 0.0002); exponent form for steps below 1e-4 or values of 1e6 and above.</summary>
    public static string Format(double value, double step)
    {
        var inv = CultureInfo.InvariantCulture;
        if (value == 0) return "0";
        double a = Math.Abs(value);
        if (a >= 1e6 || step < 1e-4)
        {
            int digits = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step / Math.Pow(10, Math.Floor(Math.Log10(a)))) - 1e-9));
            return value.ToString("0." + new string('#', Math.Min(digits, 6)) + "e+0", inv);
        }
        int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        return value.ToString("F" + decimals, inv);
    }

    // Removes the floating-point noise of i * step (0.30000000000000004 -> 0.3).
    private static double Clean(double v, double step) =>
        Math.Abs(v) < step * 1e-9 ? 0 : double.Parse(v.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
