using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CrossVideoMAE.Pipeline.Train;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>
/// report.html: loss curves from metrics.jsonl (one inline SVG with one polyline per loss term, plus
/// the learning rate when logged), the figure images, and the evaluation JSON files found (linprobe,
/// retrieval, eval) with their headline numbers. Self-contained apart from the PNGs next to it.
/// </summary>
public static class HtmlReport
{
    public static readonly string[] ResultFiles = ["linprobe.json", "retrieval.json", "eval.json"];

    /// <summary>Loss series of metrics records: every numeric key with "loss" in its name, against "step" (else the record number).</summary>
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

    /// <param name="images">PNG paths relative to the report's folder, with a caption each</param>
    /// <param name="results">evaluation JSON files (absolute paths)</param>
    public static string Render(string title, string? metricsPath, IReadOnlyList<(string src, string caption)> images, IReadOnlyList<string> results, string reportDir)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>")
          .Append("<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}img{image-rendering:pixelated;max-width:100%;border:1px solid #ddd}figure{margin:1em 0}pre{background:#f7f7f7;padding:8px;overflow:auto}</style>")
          .Append("</head><body>\n<h1>").Append(E(title)).Append("</h1>\n");

        sb.Append("<h2>Training curves</h2>\n");
        if (metricsPath is null) sb.Append("<p>No metrics file was given.</p>\n");
        else
        {
            var records = MetricsLog.Read(metricsPath);
            sb.Append("<p>").Append(E(metricsPath)).Append(": ").Append(records.Count.ToString(CultureInfo.InvariantCulture)).Append(" records.</p>\n");
            sb.Append(SvgLineChart.Render("losses", LossSeries(records))).Append('\n');
            var lr = LossSeries(records, k => k == "lr");
            if (lr.Count > 0) sb.Append(SvgLineChart.Render("learning rate", lr)).Append('\n');
        }

        if (results.Count > 0)
        {
            sb.Append("<h2>Evaluation</h2>\n<table><tr><th style=\"text-align:left\">file</th><th>encoder</th><th>top-1</th><th>top-5</th><th>R@1</th><th>R@5</th><th>R@10</th></tr>\n");
            foreach (string path in results)
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
                JsonElement r = doc.RootElement;
                string rel = Path.GetRelativePath(reportDir, path);
                string encoder = Str(r, "RandomInit") == "true" ? "random init" : Str(r, "Weights") ?? Str(r, "weights") ?? "";
                JsonElement recall = r.TryGetProperty("Recall", out JsonElement rr) ? rr : default;
                sb.Append("<tr><td style=\"text-align:left\">").Append(E(rel)).Append("</td><td>").Append(E(encoder)).Append("</td><td>")
                  .Append(Pct(r, "Top1", "top1")).Append("</td><td>").Append(Pct(r, "Top5", "top5")).Append("</td><td>")
                  .Append(Pct(recall, "R@1")).Append("</td><td>").Append(Pct(recall, "R@5")).Append("</td><td>").Append(Pct(recall, "R@10")).Append("</td></tr>\n");
            }
            sb.Append("</table>\n");
            foreach (string path in results)
                sb.Append("<details><summary>").Append(E(Path.GetRelativePath(reportDir, path))).Append("</summary><pre>")
                  .Append(E(File.ReadAllText(path))).Append("</pre></details>\n");
        }

        if (images.Count > 0)
        {
            sb.Append("<h2>Reconstructions and attention</h2>\n<p>Rows: original frames, masked input, reconstruction (hidden tubelets predicted, un-normalised with each tubelet's own mean and variance; visible ones copied), attention received per token in the last encoder block (mean over heads and queries).</p>\n");
            foreach (var (src, caption) in images)
                sb.Append("<figure><img src=\"").Append(E(src)).Append("\" alt=\"").Append(E(caption)).Append("\"><figcaption>").Append(E(caption)).Append("</figcaption></figure>\n");
        }
        sb.Append("</body></html>\n");
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

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string? Str(JsonElement e, string key) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out JsonElement v)
            ? v.ValueKind switch { JsonValueKind.String => v.GetString(), JsonValueKind.True => "true", JsonValueKind.False => "false", _ => v.ToString() }
            : null;

    private static string Pct(JsonElement e, params string[] keys)
    {
        if (e.ValueKind != JsonValueKind.Object) return "";
        foreach (string k in keys)
            if (e.TryGetProperty(k, out JsonElement v) && v.ValueKind == JsonValueKind.Number)
                return (v.GetDouble() * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";
        return "";
    }
}
