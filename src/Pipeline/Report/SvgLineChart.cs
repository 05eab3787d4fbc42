using System.Globalization;
using System.Net;
using System.Text;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>One named curve of a panel: its points (x, y) and colour.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double x, double y)> Points, string Color);

/// <summary>
/// One small-multiple panel as inline SVG (no scripts, no external assets): each series drawn raw (thin,
/// faint) and smoothed (<see cref="Smoothing"/>, solid), a legend under the title, 1-2-5 ticks
/// (<see cref="AxisTicks"/>) with grid lines, and a log y axis when every value is positive and they span
/// more than <see cref="LogSpan"/> (e.g. a contrastive loss falling over decades).
/// </summary>
public static class SvgLineChart
{
    /// <summary>max / min of the y values above which the y axis is logarithmic.</summary>
    public const double LogSpan = 30;

    public static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

    public static string Render(string title, IReadOnlyList<ChartSeries> series, int width = 400, int height = 250, string xLabel = "step")
    {
        const int left = 58, right = 14, top = 44, bottom = 34;
        var inv = CultureInfo.InvariantCulture;
        var finite = series.Select(s => s with { Points = s.Points.Where(p => double.IsFinite(p.x) && double.IsFinite(p.y)).ToList() }).ToList();
        var all = finite.SelectMany(s => s.Points).ToList();
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"{E(title)}\">");
        sb.Append(inv, $"<text x=\"{width / 2}\" y=\"15\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{E(title)}</text>");
        // Legend: one row of coloured swatches under the title.
        double lx = left;
        foreach (ChartSeries s in finite)
        {
            sb.Append(inv, $"<line x1=\"{lx:F1}\" y1=\"29\" x2=\"{lx + 16:F1}\" y2=\"29\" stroke=\"{s.Color}\" stroke-width=\"2.5\"/>");
            sb.Append(inv, $"<text x=\"{lx + 20:F1}\" y=\"33\">{E(s.Name)}</text>");
            lx += 30 + 6.2 * s.Name.Length;
        }
        if (all.Count == 0)
        {
            sb.Append(inv, $"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\">no data</text></svg>");
            return sb.ToString();
        }

        double xMin = all.Min(p => p.x), xMax = all.Max(p => p.x), yMin = all.Min(p => p.y), yMax = all.Max(p => p.y);
        bool log = yMin > 0 && yMax / yMin > LogSpan;
        double[] yTicks = log ? AxisTicks.Log(yMin, yMax) : AxisTicks.Linear(yMin, yMax, 4);
        double[] xTicks = AxisTicks.Linear(xMin, xMax == xMin ? xMin + 1 : xMax, 5).Where(t => t >= xMin - 1e-9 && t <= Math.Max(xMax, xMin + 1) + 1e-9).ToArray();
        if (xMax == xMin) xMax = xMin + 1;
        double yLo = yTicks[0], yHi = yTicks[^1];
        double Ty(double y) => log ? Math.Log10(y) : y;
        double pw = width - left - right, ph = height - top - bottom;
        double X(double x) => left + (x - xMin) / (xMax - xMin) * pw;
        double Y(double y) => top + (1 - (Ty(y) - Ty(yLo)) / (Ty(yHi) - Ty(yLo))) * ph;

        double yStep = yTicks.Length > 1 ? yTicks[1] - yTicks[0] : 1, xStep = xTicks.Length > 1 ? xTicks[1] - xTicks[0] : 1;
        foreach (double t in yTicks)
        {
            sb.Append(inv, $"<line x1=\"{left}\" y1=\"{Y(t):F1}\" x2=\"{left + pw}\" y2=\"{Y(t):F1}\" stroke=\"#e6e6e6\"/>");
            sb.Append(inv, $"<text x=\"{left - 5}\" y=\"{Y(t) + 4:F1}\" text-anchor=\"end\">{AxisTicks.Format(t, log ? t : yStep)}</text>");
        }
        foreach (double t in xTicks)
        {
            sb.Append(inv, $"<line x1=\"{X(t):F1}\" y1=\"{top}\" x2=\"{X(t):F1}\" y2=\"{top + ph}\" stroke=\"#f0f0f0\"/>");
            sb.Append(inv, $"<text x=\"{X(t):F1}\" y=\"{top + ph + 14}\" text-anchor=\"middle\">{AxisTicks.Format(t, xStep)}</text>");
        }
        sb.Append(inv, $"<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#999\"/>");
        sb.Append(inv, $"<text x=\"{left + pw / 2}\" y=\"{height - 4}\" text-anchor=\"middle\" fill=\"#555\">{E(xLabel)}{(log ? " (log y axis)" : "")}</text>");

        foreach (ChartSeries s in finite)
        {
            if (s.Points.Count == 0) continue;
            var smooth = Smoothing.Ema(s.Points, Smoothing.WeightFor(s.Points.Count));
            sb.Append(inv, $"<polyline class=\"raw\" fill=\"none\" stroke=\"{s.Color}\" stroke-opacity=\"0.3\" stroke-width=\"1\" points=\"{Points(s.Points, X, Y)}\"/>");
            sb.Append(inv, $"<polyline class=\"smoothed\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"1.8\" points=\"{Points(smooth, X, Y)}\"><title>{E(s.Name)}</title></polyline>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string Points(IReadOnlyList<(double x, double y)> points, Func<double, double> x, Func<double, double> y) =>
        string.Join(" ", points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{x(p.x):F1},{y(p.y):F1}")));

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
