using System.Globalization;
using System.Net;
using System.Text;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>
/// A 2-D map of per-video embeddings as inline SVG: one dot per video coloured by its class (legend on
/// the right), axes labelled with the share of variance each principal component explains, 1-2-5 ticks.
/// </summary>
public static class SvgScatter
{
    /// <param name="points">[N] (PC1, PC2) per video</param>
    /// <param name="labels">[N] class index per video</param>
    /// <param name="explained">share of the total variance of PC1 and PC2 (0..1)</param>
    public static string Render(string title, IReadOnlyList<(double x, double y)> points, IReadOnlyList<int> labels, IReadOnlyList<string> classNames,
        (double pc1, double pc2) explained, int width = 400, int height = 300)
    {
        if (points.Count != labels.Count) throw new ArgumentException($"{points.Count} points but {labels.Count} labels");
        const int left = 50, top = 28, bottom = 36;
        int right = 18 + 8 + (int)(6.2 * classNames.DefaultIfEmpty("").Max(n => n.Length)) + 14;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"{E(title)}\">");
        sb.Append(inv, $"<text x=\"{(left + width - right) / 2}\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{E(title)}</text>");
        var finite = points.Select((p, i) => (p, i)).Where(t => double.IsFinite(t.p.x) && double.IsFinite(t.p.y)).ToList();
        if (finite.Count == 0)
        {
            sb.Append(inv, $"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\">no data</text></svg>");
            return sb.ToString();
        }
        double[] xt = AxisTicks.Linear(finite.Min(t => t.p.x), finite.Max(t => t.p.x), 4), yt = AxisTicks.Linear(finite.Min(t => t.p.y), finite.Max(t => t.p.y), 4);
        double pw = width - left - right, ph = height - top - bottom;
        double X(double x) => left + (x - xt[0]) / (xt[^1] - xt[0]) * pw;
        double Y(double y) => top + (1 - (y - yt[0]) / (yt[^1] - yt[0])) * ph;
        double xs = xt[1] - xt[0], ys = yt[1] - yt[0];
        foreach (double t in xt)
            sb.Append(inv, $"<line x1=\"{X(t):F1}\" y1=\"{top}\" x2=\"{X(t):F1}\" y2=\"{top + ph}\" stroke=\"#eee\"/><text x=\"{X(t):F1}\" y=\"{top + ph + 14}\" text-anchor=\"middle\">{AxisTicks.Format(t, xs)}</text>");
        foreach (double t in yt)
            sb.Append(inv, $"<line x1=\"{left}\" y1=\"{Y(t):F1}\" x2=\"{left + pw}\" y2=\"{Y(t):F1}\" stroke=\"#eee\"/><text x=\"{left - 5}\" y=\"{Y(t) + 4:F1}\" text-anchor=\"end\">{AxisTicks.Format(t, ys)}</text>");
        sb.Append(inv, $"<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#999\"/>");
        sb.Append(inv, $"<text x=\"{left + pw / 2}\" y=\"{height - 4}\" text-anchor=\"middle\" fill=\"#555\">PC1 ({100 * explained.pc1:F0}% of variance)</text>");
        sb.Append(inv, $"<text transform=\"translate(12 {top + ph / 2}) rotate(-90)\" text-anchor=\"middle\" fill=\"#555\">PC2 ({100 * explained.pc2:F0}%)</text>");
        foreach (var (p, i) in finite)
        {
            string color = SvgLineChart.Palette[labels[i] % SvgLineChart.Palette.Length];
            string name = labels[i] >= 0 && labels[i] < classNames.Count ? classNames[labels[i]] : labels[i].ToString(inv);
            sb.Append(inv, $"<circle cx=\"{X(p.x):F1}\" cy=\"{Y(p.y):F1}\" r=\"3.5\" fill=\"{color}\" fill-opacity=\"0.8\"><title>{E(name)}</title></circle>");
        }
        for (int c = 0; c < classNames.Count; c++)
        {
            double ly = top + 10 + c * 16;
            sb.Append(inv, $"<circle cx=\"{width - right + 18}\" cy=\"{ly - 4}\" r=\"4\" fill=\"{SvgLineChart.Palette[c % SvgLineChart.Palette.Length]}\"/>");
            sb.Append(inv, $"<text x=\"{width - right + 26}\" y=\"{ly}\">{E(classNames[c])}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
