using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CrossVideoMAE.Pipeline.Train;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>
/// report.html, one self-contained file (inline SVG and PNG data, no scripts, no external resources):
/// the run card (<see cref="RunCard"/>); the training curves as small multiples (<see cref="Panels"/>:
/// total, intra, cross, reconstruction, decoder MSE with their video/frame or view parts, lr, grad norm,
/// throughput, feed wait; raw and smoothed); the evaluation tables and confusion matrices
/// (<see cref="EvaluationResults"/>); the embedding maps of the encoders compared; the reconstruction
/// and attention grids with their row labels.
/// </summary>
public static class HtmlReport
{
    public static readonly string[] ResultFiles = ["linprobe.json", "retrieval.json", "eval.json"];

    /// <summary>The panels of the training curves: title and the metrics keys drawn in it (those present).</summary>
    public static readonly (string Title, string[] Keys)[] Panels =
    [
        ("total loss", ["loss_total", "loss"]),
        ("intra-modal contrastive", ["loss_intra", "loss_intra_video", "loss_intra_frame"]),
        ("cross-modal contrastive", ["loss_cross", "loss_cross_video", "loss_cross_frame"]),
        ("reconstruction", ["loss_rl", "loss_rl_view1", "loss_rl_view2"]),
        ("decoder MSE", ["loss_mse"]),
        ("learning rate", ["lr"]),
        ("gradient norm", ["grad_norm"]),
        ("throughput (clips/s)", ["clips_per_s"]),
        ("feed wait (ms per step)", ["feed_wait_ms"]),
    ];

    /// <summary>Series of metrics records: every numeric key <paramref name="include"/> accepts (default: names containing "loss"),
    /// against "step" (else the record number).</summary>
    public static Dictionary<string, IReadOnlyList<(double x, double y)>> LossSeries(IReadOnlyList<Dictionary<string, JsonElement>> records, Func<string, bool>? include = null)
    {
        include ??= k => k.Contains("loss", StringComparison.OrdinalIgnoreCase);
        var series = new SortedDictionary<string, List<(double, double)>>(StringComparer.Ordinal);
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            double x = r.TryGetValue("step", out JsonElement s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : i;
            foreach (var (k, v) in r)
            {
                if (!include(k) || v.ValueKind != JsonValueKind.Number) continue;
                if (!series.TryGetValue(k, out var list)) series[k] = list = [];
                list.Add((x, v.GetDouble()));
            }
        }
        return series.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<(double, double)>)kv.Value);
    }

    /// <summary>The SVG panels of the training curves; loss keys no panel names get an "other losses" panel of their own.</summary>
    public static List<string> CurvePanels(IReadOnlyList<Dictionary<string, JsonElement>> records)
    {
        var series = LossSeries(records, _ => true);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var panels = new List<string>();
        foreach (var (title, keys) in Panels)
        {
            var present = keys.Where(series.ContainsKey).ToList();
            if (present.Count == 0) continue;
            used.UnionWith(present);
            panels.Add(SvgLineChart.Render(title, present.Select((k, i) => new ChartSeries(ShortName(k), series[k], SvgLineChart.Palette[i])).ToList()));
        }
        var other = series.Keys.Where(k => k.Contains("loss", StringComparison.OrdinalIgnoreCase) && !used.Contains(k)).ToList();
        if (other.Count > 0)
            panels.Add(SvgLineChart.Render("other losses", other.Select((k, i) => new ChartSeries(ShortName(k), series[k], SvgLineChart.Palette[i % SvgLineChart.Palette.Length])).ToList()));
        return panels;
    }

    public static string Render(ReportContent c)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(c.Title)).Append("</title>\n<style>")
          .Append("body{font-family:sans-serif;margin:24px;max-width:1320px;color:#222}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}")
          .Append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}.l{text-align:left}")
          .Append("table.card th{width:150px}.grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-size:13px;color:#444;margin-top:4px;max-width:560px}")
          .Append(".recon{display:grid;grid-template-columns:auto auto;column-gap:8px;align-items:stretch}.rows{display:grid;font-size:14px;font-weight:bold;text-align:right}")
          .Append(".rows span{display:flex;align-items:center;justify-content:flex-end}.cols{grid-column:2;display:flex;font-size:12px;color:#555}.cols span{text-align:center}")
          .Append("img{image-rendering:pixelated;display:block}pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:12px}p.note{color:#555;font-size:14px;max-width:1000px}")
          .Append("</style></head><body>\n<h1>").Append(E(c.Title)).Append("</h1>\n");

        var records = c.MetricsPath is null ? [] : MetricsLog.Read(c.MetricsPath);
        if (c.ManifestPath is not null)
        {
            string? yaml = c.ConfigPath is not null && File.Exists(c.ConfigPath) ? File.ReadAllText(c.ConfigPath) : null;
            sb.Append("<h2>Run</h2>\n").Append(RunCard.Render(records, yaml, c.ConfigPath, c.ManifestPath, c.RowsPerSplit));
        }

        sb.Append("<h2>Training curves</h2>\n");
        if (c.MetricsPath is null) sb.Append("<p>No metrics file was given.</p>\n");
        else
        {
            sb.Append("<p class=\"note\">").Append(E(c.MetricsPath)).Append(": ").Append(records.Count.ToString(inv))
              .Append(" records. Faint lines: every step; solid: exponential moving average. A y axis is logarithmic where a term spans more than ")
              .Append(SvgLineChart.LogSpan.ToString(inv)).Append("x.</p>\n<div class=\"grid\">\n");
            foreach (string panel in CurvePanels(records)) sb.Append("<figure>").Append(panel).Append("</figure>\n");
            sb.Append("</div>\n");
        }

        if (c.Results.Count > 0) sb.Append("<h2>Evaluation</h2>\n").Append(EvaluationResults.Render(c.Results));

        if (c.Maps.Count > 0)
        {
            sb.Append("<h2>Embeddings</h2>\n<p class=\"note\">Each dot is one '").Append(E(c.MapSplit))
              .Append("' video: the mean of its clips' encoder features (the linear probe's), projected on the first two principal components of that encoder's features. Colour: the video's class.</p>\n<div class=\"grid\">\n");
            foreach (EmbeddingMap m in c.Maps)
                sb.Append("<figure>").Append(SvgScatter.Render(m.Encoder, m.Coordinates, m.Labels, c.ClassNames, m.Explained)).Append("</figure>\n");
            sb.Append("</div>\n");
        }

        if (c.Figures.Count > 0)
        {
            sb.Append("<h2>Reconstructions and attention</h2>\n<p class=\"note\">One column per tubelet (its first frame). Masked input: hidden tubelets blanked to the mean colour (grey). Reconstruction: hidden tubelets predicted (un-normalised with each tubelet's own mean and variance), visible ones copied. Attention: what each token receives in the last encoder block (mean over heads and queries), blue low to red high, over the grey frame.</p>\n<div class=\"grid\">\n");
            foreach (ReconstructionFigure f in c.Figures) sb.Append(Figure(f));
            sb.Append("</div>\n");
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    // A grid image scaled so a tile is 112 px high, its row labels beside it and frame numbers above.
    private static string Figure(ReconstructionFigure f)
    {
        var inv = CultureInfo.InvariantCulture;
        int tile = (f.Height - (FigureImage.Rows + 1) * FigureImage.Gap) / FigureImage.Rows;
        double scale = 112.0 / Math.Max(1, tile);
        int w = (int)Math.Round(f.Width * scale), h = (int)Math.Round(f.Height * scale);
        double pad = FigureImage.Gap * scale, rowH = tile * scale;
        string[] labels = ["original", "masked input", "reconstruction", "attention"];
        var sb = new StringBuilder("<figure><div class=\"recon\">");
        sb.Append(inv, $"<div></div><div class=\"cols\" style=\"width:{w}px;padding-left:{pad:F1}px\">");
        foreach (int frame in f.ColumnFrames) sb.Append(inv, $"<span style=\"width:{rowH + pad:F1}px\">frame {frame}</span>");
        sb.Append(inv, $"</div><div class=\"rows\" style=\"grid-template-rows:repeat({FigureImage.Rows},{rowH:F1}px);row-gap:{pad:F1}px;padding-top:{pad:F1}px\">");
        foreach (string l in labels) sb.Append("<span>").Append(l).Append("</span>");
        sb.Append(inv, $"</div><img src=\"data:image/png;base64,{Convert.ToBase64String(f.Png)}\" width=\"{w}\" height=\"{h}\" alt=\"{E(f.Caption)}\">");
        sb.Append("</div><figcaption>").Append(E(f.Caption)).Append("</figcaption></figure>\n");
        return sb.ToString();
    }

    /// <summary>Evaluation JSON files in <paramref name="folders"/> and their subfolders (two levels), each once.</summary>
    public static List<string> FindResults(IEnumerable<string> folders)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string folder in folders.Where(Directory.Exists))
            foreach (string dir in new[] { folder }.Concat(Directory.EnumerateDirectories(folder)).Concat(Directory.EnumerateDirectories(folder).SelectMany(Directory.EnumerateDirectories)))
                foreach (string name in ResultFiles)
                {
                    string p = Path.GetFullPath(Path.Combine(dir, name));
                    if (File.Exists(p)) found.Add(p);
                }
        return found.ToList();
    }

    // loss_intra_video -> intra_video; loss_total / loss -> total.
    private static string ShortName(string key) => key is "loss" or "loss_total" ? "total" : key.StartsWith("loss_", StringComparison.Ordinal) ? key[5..] : key;

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
