using System.Globalization;
using System.Net;
using System.Text;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>A small inline-SVG line chart (no scripts, no external assets) for loss curves.</summary>
public static class SvgLineChart
{
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    /// <param name="series">name -> (x, y) points; non-finite y values are skipped</param>
    public static string Render(string title, IReadOnlyDictionary<string, IReadOnlyList<(double x, double y)>> series,
        int width = 640, int height = 320, string xLabel = "step")
    {
        const int left = 60, right = 150, top = 30, bottom = 40;
        var pts = series.Values.SelectMany(s => s).Where(p => double.IsFinite(p.y) && double.IsFinite(p.x)).ToList();
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.Append(inv, $"<text x=\"{width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">{WebUtility.HtmlEncode(title)}</text>");
        if (pts.Count == 0)
        {
            sb.Append(inv, $"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\">no data</text></svg>");
            return sb.ToString();
        }
        double x0 = pts.Min(p => p.x), x1 = pts.Max(p => p.x), y0 = pts.Min(p => p.y), y1 = pts.Max(p => p.y);
        if (x1 == x0) x1 = x0 + 1;
        if (y1 == y0) { y1 = y0 + 1; y0 -= 1; }
        double pw = width - left - right, ph = height - top - bottom;
        double X(double x) => left + (x - x0) / (x1 - x0) * pw;
        double Y(double y) => top + (1 - (y - y0) / (y1 - y0)) * ph;

        sb.Append(inv, $"<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#999\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double yv = y0 + (y1 - y0) * i / 4, xv = x0 + (x1 - x0) * i / 4;
            sb.Append(inv, $"<text x=\"{left - 4}\" y=\"{Y(yv) + 4:F1}\" text-anchor=\"end\">{yv:G4}</text>");
            sb.Append(inv, $"<text x=\"{X(xv):F1}\" y=\"{top + ph + 14}\" text-anchor=\"middle\">{xv:G4}</text>");
        }
        sb.Append(inv, $"<text x=\"{left + pw / 2}\" y=\"{height - 6}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xLabel)}</text>");

        int k = 0;
        foreach (var (name, s) in series)
        {
            string color = Colors[k % Colors.Length];
            var line = string.Join(" ", s.Where(p => double.IsFinite(p.y) && double.IsFinite(p.x)).Select(p => string.Create(inv, $"{X(p.x):F1},{Y(p.y):F1}")));
            if (line.Length > 0)
                sb.Append(inv, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{line}\"/>");
            double ly = top + 12 + k * 16;
            sb.Append(inv, $"<line x1=\"{width - right + 10}\" y1=\"{ly - 4}\" x2=\"{width - right + 28}\" y2=\"{ly - 4}\" stroke=\"{color}\" stroke-width=\"2\"/>");
            sb.Append(inv, $"<text x=\"{width - right + 32}\" y=\"{ly}\">{WebUtility.HtmlEncode(name)}</text>");
            k++;
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
