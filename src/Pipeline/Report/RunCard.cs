using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>
/// The run card at the top of the report: the training run (from metrics.jsonl and the
/// config.resolved.yaml beside it: model, masking, loss switches, batch, steps, time, clips/s, feed
/// wait), the dataset (name and version fields of index.json, rows per split) and the machine the
/// report was made on. The resolved config is shown in full under a fold.
/// </summary>
public static class RunCard
{
    /// <param name="records">metrics.jsonl records (may be empty)</param>
    /// <param name="configYaml">config.resolved.yaml text, or null when there is none</param>
    /// <param name="manifestPath">the dataset's index.json</param>
    /// <param name="rowsPerSplit">clips of each split, counted from the shards</param>
    public static string Render(IReadOnlyList<Dictionary<string, JsonElement>> records, string? configYaml, string? configPath,
        string manifestPath, IReadOnlyDictionary<string, int> rowsPerSplit)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = new List<(string, string)>();
        var yaml = configYaml is null ? new Dictionary<string, string>() : FlatYaml(configYaml);
        string Y(string key) => yaml.TryGetValue(key, out string? v) ? v : "?";
        if (configYaml is not null)
        {
            rows.Add(("model", $"{Y("model.name")}, {Y("model.frames")} x {Y("model.video_size")} x {Y("model.video_size")} clips, frames {Y("model.frame_size")} px"));
            rows.Add(("masking", $"video {Y("masking.video_ratio")} ({Y("masking.video_kind")}), image {Y("masking.image_ratio")}"));
            var off = new[] { "intra", "cross", "reconstruction", "decoder_mse" }.Where(k => Y("loss." + k) == "false").ToList();
            rows.Add(("objective", $"lambda_c {Y("loss.lambda_c")}, temperature {Y("loss.temperature")}" + (off.Count > 0 ? $"; off: {string.Join(", ", off)}" : "; every term on")));
            rows.Add(("optimiser", $"batch {Y("optim.batch_size")} x {Y("optim.accum_steps")} accumulation, base lr {Y("optim.base_lr")}, weight decay {Y("optim.weight_decay")}, " +
                                   $"{Y("optim.epochs")} epochs ({Y("optim.warmup_epochs")} warm-up), max steps {Y("optim.max_steps")}"));
            rows.Add(("device", $"{Y("run.device")}{(Y("run.bf16") == "true" ? ", bf16" : "")}, seed {Y("run.seed")}"));
        }
        if (records.Count > 0)
        {
            double stepMs = Sum(records, "step_ms"), waitMs = Sum(records, "feed_wait_ms");
            double clips = records.Sum(r => Num(r, "clips_per_s") * Num(r, "step_ms") / 1000);
            double last = records.Max(r => Num(r, "step")), epochs = records.Max(r => Num(r, "epoch")) + 1;
            rows.Add(("training", string.Create(inv, $"{last:F0} steps, {epochs:F0} epochs, {records.Count} metrics records")));
            if (stepMs > 0)
            {
                rows.Add(("time", string.Create(inv, $"{FormatDuration(stepMs / 1000)} (sum of step times)")));
                rows.Add(("throughput", string.Create(inv, $"{clips / (stepMs / 1000):F2} clips/s over the run; median step {Median(records, "clips_per_s"):F2} clips/s")));
                rows.Add(("feed wait", string.Create(inv, $"{100 * waitMs / stepMs:F1}% of step time spent waiting for data ({waitMs / 1000:F1} s)")));
            }
        }
        rows.Add(("dataset", DatasetLine(manifestPath)));
        rows.Add(("rows per split", rowsPerSplit.Count == 0 ? "(none)" : string.Join(", ", rowsPerSplit.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value} clips"))));
        rows.Add(("report made on", $"{CpuModel()}, {Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}, libtorch {TorchVersion()}, {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", inv)} UTC"));

        var sb = new StringBuilder("<table class=\"card\">\n");
        foreach (var (k, v) in rows) sb.Append("<tr><th class=\"l\">").Append(E(k)).Append("</th><td class=\"l\">").Append(E(v)).Append("</td></tr>\n");
        sb.Append("</table>\n");
        if (configYaml is not null)
            sb.Append("<details><summary>").Append(E(configPath ?? "config")).Append("</summary><pre>").Append(E(configYaml)).Append("</pre></details>\n");
        return sb.ToString();
    }

    /// <summary>The keys of a block-style YAML mapping as dotted paths (<c>model.name</c>); list items and anything deeper than
    /// two levels are skipped. Enough for the resolved configs this program writes.</summary>
    public static Dictionary<string, string> FlatYaml(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string section = "";
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            int hash = line.IndexOf(" #", StringComparison.Ordinal);
            if (hash >= 0) line = line[..hash];
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#') || line.TrimStart().StartsWith('-')) continue;
            int indent = line.Length - line.TrimStart().Length;
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim().Trim('"', '\'');
            if (indent == 0) { section = key; if (value.Length > 0) result[key] = value; }
            else if (value.Length > 0 && section.Length > 0) result[section + "." + key] = value;
        }
        return result;
    }

    // Name, version fields and creation time of index.json, read defensively.
    private static string DatasetLine(string manifestPath)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(manifestPath));
            JsonElement r = doc.RootElement;
            var parts = new List<string> { $"{Path.GetFullPath(manifestPath)}" };
            foreach (JsonProperty p in r.EnumerateObject())
                if (p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number &&
                    (p.Name is "dataset" or "created" || p.Name.Contains("version", StringComparison.OrdinalIgnoreCase)))
                    parts.Add($"{p.Name} {p.Value}");
            return string.Join(", ", parts);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{manifestPath}: not valid JSON ({e.Message})", e);
        }
    }

    private static double Num(Dictionary<string, JsonElement> r, string key) =>
        r.TryGetValue(key, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;

    private static double Sum(IReadOnlyList<Dictionary<string, JsonElement>> records, string key) => records.Sum(r => Num(r, key));

    private static double Median(IReadOnlyList<Dictionary<string, JsonElement>> records, string key)
    {
        var v = records.Where(r => r.ContainsKey(key)).Select(r => Num(r, key)).Order().ToList();
        return v.Count == 0 ? 0 : v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    private static string FormatDuration(double seconds) =>
        seconds < 120 ? $"{seconds:F1} s" : seconds < 7200 ? $"{seconds / 60:F1} min" : $"{seconds / 3600:F2} h";

    private static string CpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string TorchVersion()
    {
        try { return torch.__version__; }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException) { return "not loaded"; }
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
