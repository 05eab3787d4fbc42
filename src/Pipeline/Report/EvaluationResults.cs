using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>What kind of evaluation a result file holds.</summary>
public enum ResultKind { Linprobe, Retrieval, Eval }

/// <summary>An evaluation result file given to the report, with the name it is shown under.</summary>
public sealed record ResultFile(ResultKind Kind, string Name, string Path)
{
    /// <summary>Parses <c>NAME=PATH</c> (or a bare PATH, named by its folder) of a <c>--linprobe/--retrieval/--eval</c> option.</summary>
    public static ResultFile Parse(ResultKind kind, string text)
    {
        int eq = text.IndexOf('=');
        string path = eq > 0 ? text[(eq + 1)..] : text;
        string name = eq > 0 ? text[..eq] : new DirectoryInfo(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!).Name;
        if (path.Length == 0 || name.Length == 0) throw new ArgumentException($"--{kind.ToString().ToLowerInvariant()} '{text}': expected NAME=FILE or FILE");
        if (!File.Exists(path)) throw new FileNotFoundException($"--{kind.ToString().ToLowerInvariant()}: result file '{path}' does not exist", path);
        return new ResultFile(kind, name, path);
    }

    /// <summary>The kind a result file's name stands for (linprobe.json, retrieval.json, eval.json).</summary>
    public static ResultKind KindOf(string path) => System.IO.Path.GetFileName(path) switch
    {
        "linprobe.json" => ResultKind.Linprobe,
        "retrieval.json" => ResultKind.Retrieval,
        "eval.json" => ResultKind.Eval,
        var other => throw new ArgumentException($"{path}: not a linprobe.json, retrieval.json or eval.json"),
    };
}

/// <summary>
/// The evaluation section of the report: a table per kind (linear probe: top-1 mean and per seed, top-5,
/// labels per class; retrieval: Recall@1/5/10; eval: top-1, top-5, views) and a confusion-matrix heatmap
/// for every file that has one. Reads the JSON of <c>cvmae linprobe / retrieval / eval</c> defensively:
/// a file that is not JSON, or lacks the numbers its kind needs, is an error naming the file.
/// </summary>
public static class EvaluationResults
{
    public static string Render(IReadOnlyList<ResultFile> files)
    {
        var docs = files.Select(f => (f, Load(f))).ToList();
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var probes = docs.Where(d => d.f.Kind == ResultKind.Linprobe).ToList();
        if (probes.Count > 0)
        {
            sb.Append("<h3>Linear probe</h3>\n<table><tr><th class=\"l\">encoder / run</th><th>labels per class</th><th>top-1 (mean)</th><th class=\"l\">top-1 per seed</th><th>top-5</th><th>train videos</th><th>held-out videos</th></tr>\n");
            foreach (var (f, r) in probes)
            {
                string perRun = Get(r, "Top1PerRun") is { ValueKind: JsonValueKind.Array } runs
                    ? string.Join(", ", runs.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => Pct(x.GetDouble(), 0))) : "";
                string labels = Get(r, "LabelsPerClass") is { ValueKind: JsonValueKind.Number } n ? n.GetInt32().ToString(inv) : "all";
                sb.Append("<tr><td class=\"l\">").Append(E(f.Name)).Append("</td><td>").Append(labels).Append("</td><td><b>").Append(Pct(Number(f, r, "Top1"), 1))
                  .Append("</b></td><td class=\"l\">").Append(perRun).Append("</td><td>").Append(Pct(Optional(r, "Top5"), 1)).Append("</td><td>")
                  .Append(Int(r, "TrainVideos")).Append("</td><td>").Append(Int(r, "EvalVideos")).Append("</td></tr>\n");
            }
            sb.Append("</table>\n");
        }
        var retrievals = docs.Where(d => d.f.Kind == ResultKind.Retrieval).ToList();
        if (retrievals.Count > 0)
        {
            sb.Append("<h3>Retrieval</h3>\n<table><tr><th class=\"l\">encoder / run</th><th>R@1</th><th>R@5</th><th>R@10</th><th>queries</th><th>gallery</th><th>level</th></tr>\n");
            foreach (var (f, r) in retrievals)
            {
                JsonElement recall = Get(r, "Recall") is { ValueKind: JsonValueKind.Object } rr ? rr : throw new InvalidDataException($"{f.Path}: no Recall object");
                sb.Append("<tr><td class=\"l\">").Append(E(f.Name)).Append("</td>");
                foreach (string k in new[] { "R@1", "R@5", "R@10" }) sb.Append("<td>").Append(Pct(Optional(recall, k), 1)).Append("</td>");
                sb.Append("<td>").Append(Int(r, "Queries")).Append("</td><td>").Append(Int(r, "Gallery")).Append("</td><td>").Append(E(Get(r, "Level")?.ToString() ?? "")).Append("</td></tr>\n");
            }
            sb.Append("</table>\n");
        }
        var evals = docs.Where(d => d.f.Kind == ResultKind.Eval).ToList();
        if (evals.Count > 0)
        {
            sb.Append("<h3>Multi-view evaluation</h3>\n<table><tr><th class=\"l\">classifier / run</th><th>top-1</th><th>top-5</th><th>videos</th><th>views</th><th>clips x crops</th></tr>\n");
            foreach (var (f, r) in evals)
                sb.Append("<tr><td class=\"l\">").Append(E(f.Name)).Append("</td><td><b>").Append(Pct(Number(f, r, "top1"), 1)).Append("</b></td><td>").Append(Pct(Optional(r, "top5"), 1))
                  .Append("</td><td>").Append(Int(r, "videos")).Append("</td><td>").Append(Int(r, "views")).Append("</td><td>").Append(Int(r, "clips")).Append(" x ").Append(Int(r, "crops")).Append("</td></tr>\n");
            sb.Append("</table>\n");
        }
        var matrices = docs.Where(d => d.f.Kind != ResultKind.Retrieval && Get(d.Item2, "Confusion") is { ValueKind: JsonValueKind.Array }).ToList();
        if (matrices.Count > 0)
        {
            sb.Append("<h3>Confusion matrices (held-out videos; rows: true class)</h3>\n<div class=\"grid\">\n");
            foreach (var (f, r) in matrices)
            {
                var (confusion, names) = Confusion(f, r);
                sb.Append("<figure>").Append(SvgHeatmap.Render(f.Name, confusion, names, names.Length > 10 ? 22 : 32)).Append("</figure>\n");
            }
            sb.Append("</div>\n");
        }
        return sb.ToString();
    }

    private static JsonElement Load(ResultFile f)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(f.Path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{f.Path}: not a JSON object");
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{f.Path}: not valid JSON ({e.Message})", e);
        }
    }

    private static (int[][] Confusion, string[] Names) Confusion(ResultFile f, JsonElement r)
    {
        try
        {
            int[][] m = Get(r, "Confusion")!.Value.EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
            string[] names = Get(r, "ClassNames") is { ValueKind: JsonValueKind.Array } a
                ? a.EnumerateArray().Select(x => x.GetString() ?? "").ToArray()
                : Enumerable.Range(0, m.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            if (m.Length != names.Length || m.Any(row => row.Length != names.Length))
                throw new InvalidDataException($"{f.Path}: the confusion matrix is not {names.Length} x {names.Length} (the class count)");
            return (m, names);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{f.Path}: the confusion matrix is not a matrix of counts ({e.Message})", e);
        }
    }

    /// <summary>A property by name, ignoring case and underscores (Top1, top1, class_names, ClassNames).</summary>
    private static JsonElement? Get(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        string key = name.Replace("_", "", StringComparison.Ordinal);
        foreach (JsonProperty p in e.EnumerateObject())
            if (string.Equals(p.Name.Replace("_", "", StringComparison.Ordinal), key, StringComparison.OrdinalIgnoreCase)) return p.Value;
        return null;
    }

    private static double Number(ResultFile f, JsonElement e, string name) =>
        Get(e, name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : throw new InvalidDataException($"{f.Path}: no number '{name}'");

    private static double? Optional(JsonElement e, string name) => Get(e, name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : null;

    private static string Int(JsonElement e, string name) => Get(e, name) is { ValueKind: JsonValueKind.Number } v ? v.GetRawText() : "";

    private static string Pct(double? v, int decimals) => v is double x ? (100 * x).ToString("F" + decimals, CultureInfo.InvariantCulture) + "%" : "";

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
