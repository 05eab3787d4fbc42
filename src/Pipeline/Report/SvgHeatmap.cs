using System.Globalization;
using System.Net;
using System.Text;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>
/// A confusion matrix as an inline-SVG heatmap: rows are the true classes, columns the predicted ones,
/// each cell shaded by its share of the row (white to dark blue) and labelled with its count.
/// </summary>
public static class SvgHeatmap
{
    public static string Render(string title, IReadOnlyList<IReadOnlyList<int>> confusion, IReadOnlyList<string> classNames, int cell = 34)
    {
        int n = classNames.Count;
        if (confusion.Count != n || confusion.Any(r => r.Count != n))
            throw new ArgumentException($"confusion matrix is not {n} x {n} (the class count)");
        var inv = CultureInfo.InvariantCulture;
        int labelWidth = 12 + (int)(6.2 * classNames.DefaultIfEmpty("").Max(s => s.Length));
        int left = labelWidth + 18, top = 36 + labelWidth;
        int width = left + n * cell + 10, height = top + n * cell + 10;
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"{E(title)}\">");
        sb.Append(inv, $"<text x=\"4\" y=\"15\" font-size=\"13\" font-weight=\"bold\">{E(title)}</text>");
        sb.Append(inv, $"<text x=\"{left + n * cell / 2}\" y=\"30\" text-anchor=\"middle\" fill=\"#555\">predicted</text>");
        sb.Append(inv, $"<text transform=\"translate(11 {top + n * cell / 2}) rotate(-90)\" text-anchor=\"middle\" fill=\"#555\">true class</text>");
        for (int c = 0; c < n; c++)
        {
            sb.Append(inv, $"<text x=\"{left - 5}\" y=\"{top + c * cell + cell / 2 + 4}\" text-anchor=\"end\">{E(classNames[c])}</text>");
            sb.Append(inv, $"<text transform=\"translate({left + c * cell + cell / 2 + 4} {top - 5}) rotate(-90)\">{E(classNames[c])}</text>");
        }
        for (int r = 0; r < n; r++)
        {
            double total = confusion[r].Sum();
            for (int c = 0; c < n; c++)
            {
                int count = confusion[r][c];
                double share = total > 0 ? count / total : 0;
                var (R, G, B) = Blue(share);
                sb.Append(inv, $"<rect x=\"{left + c * cell}\" y=\"{top + r * cell}\" width=\"{cell}\" height=\"{cell}\" fill=\"rgb({R},{G},{B})\" stroke=\"#fff\"><title>{E(classNames[r])} as {E(classNames[c])}: {count}</title></rect>");
                sb.Append(inv, $"<text x=\"{left + c * cell + cell / 2}\" y=\"{top + r * cell + cell / 2 + 4}\" text-anchor=\"middle\" fill=\"{(share > 0.5 ? "#fff" : "#222")}\">{count}</text>");
            }
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>White (0) to dark blue (1), linear in each channel.</summary>
    public static (int r, int g, int b) Blue(double share)
    {
        double s = Math.Clamp(share, 0, 1);
        return ((int)Math.Round(247 - s * (247 - 8)), (int)Math.Round(251 - s * (251 - 48)), (int)Math.Round(255 - s * (255 - 107)));
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
