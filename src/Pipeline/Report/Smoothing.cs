namespace CrossVideoMAE.Pipeline.Report;

/// <summary>Exponential moving average for noisy training curves, with the start-up bias removed
/// (s_t = w s_{t-1} + (1 - w) y_t, shown as s_t / (1 - w^t)), as TensorBoard draws it.</summary>
public static class Smoothing
{
    /// <summary>The weight for a curve of <paramref name="count"/> points: 1 - 10 / count, within [0, 0.95].</summary>
    public static double WeightFor(int count) => Math.Clamp(1 - 10.0 / Math.Max(1, count), 0, 0.95);

    public static IReadOnlyList<(double x, double y)> Ema(IReadOnlyList<(double x, double y)> points, double weight)
    {
        if (weight < 0 || weight >= 1) throw new ArgumentOutOfRangeException(nameof(weight), $"smoothing weight {weight} must be in [0, 1)");
        var result = new List<(double, double)>(points.Count);
        double s = 0, debias = 1;
        foreach (var (x, y) in points)
        {
            if (!double.IsFinite(y)) continue;
            s = weight * s + (1 - weight) * y;
            debias *= weight;
            result.Add((x, s / (1 - debias)));
        }
        return result;
    }
}
