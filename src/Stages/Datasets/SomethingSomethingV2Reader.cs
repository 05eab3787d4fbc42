using System.Globalization;
using System.Text.Json;

namespace CrossVideoMAE.Stages.Datasets;

/// <summary>
/// Something-Something V2: <c>labels.json</c> maps a class name to its index ("0".."173", as strings
/// or numbers); each annotation file (<c>something-something-v2-train.json</c>, <c>-validation.json</c>,
/// <c>-test.json</c>; the split comes from the file name) is an array of
/// <c>{"id", "label", "template", ...}</c> (other fields, such as the list of object names, are ignored). The class of an entry is its template with the
/// brackets removed ("Putting [something] on a surface" -> "Putting something on a surface"); test
/// entries hold only an id and are unlabelled. Videos are <c>&lt;root&gt;/&lt;id&gt;.webm</c>.
/// </summary>
public sealed class SomethingSomethingV2Reader(string labelsJson, string videoRoot, IReadOnlyList<string> annotationFiles) : IDatasetReader
{
    /// <summary>Extensions tried for each video, in order; the first is used when none exists on disk.</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [".webm", ".mp4", ".mkv", ".avi"];

    public string Format => "ssv2";

    public static string ClassName(string template) => template.Replace("[", "").Replace("]", "");

    public async Task<DatasetManifest> ReadAsync(CancellationToken ct = default)
    {
        string[] labels = await ReadLabelsAsync(ct).ConfigureAwait(false);
        var labelIndex = labels.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var entries = new List<VideoEntry>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in annotationFiles)
        {
            string split = DatasetSplits.FromFileName(file)
                ?? throw new ManifestFormatException(file, 0, "cannot tell the split from the file name (expected train, validation or test in it)");
            JsonAnnotation json = await JsonAnnotation.LoadAsync(file, ct).ConfigureAwait(false);
            foreach ((int line, JsonElement item) in json.ArrayItems())
            {
                VideoEntry entry = ReadEntry(file, line, item, split, labelIndex);
                if (!seen.TryAdd(entry.VideoId, $"{file}:{line}"))
                    throw new ManifestFormatException(file, line, $"video id {entry.VideoId} is listed twice (first at {seen[entry.VideoId]})");
                entries.Add(entry);
            }
        }
        return new DatasetManifest(Format, labels, entries);
    }

    private VideoEntry ReadEntry(string file, int line, JsonElement item, string split, Dictionary<string, int> labelIndex)
    {
        if (item.ValueKind != JsonValueKind.Object) throw new ManifestFormatException(file, line, "expected an object with an \"id\"");
        string id = item.TryGetProperty("id", out var idValue) ? idValue.ValueKind switch
        {
            JsonValueKind.String => idValue.GetString() ?? "",
            JsonValueKind.Number => idValue.GetRawText(),
            _ => "",
        } : "";
        if (id.Length == 0) throw new ManifestFormatException(file, line, "the entry has no \"id\"");
        if (VideoFiles.UnsafeName(id) is string bad) throw new ManifestFormatException(file, line, $"id: {bad}");

        int label = VideoEntry.NoLabel;
        string name = "";
        if (item.TryGetProperty("template", out var template))
        {
            if (template.ValueKind != JsonValueKind.String) throw new ManifestFormatException(file, line, "\"template\" is not a string");
            name = ClassName(template.GetString()!);
            if (!labelIndex.TryGetValue(name, out label))
                throw new ManifestFormatException(file, line, $"class '{name}' (from template '{template.GetString()}') is not in {labelsJson}");
        }
        else if (split != DatasetSplits.Test)
        {
            throw new ManifestFormatException(file, line, $"entry {id} of the {split} split has no \"template\"");
        }
        return new VideoEntry(id, VideoPath(id), label, name, split);
    }

    private string VideoPath(string id)
    {
        foreach (string ext in Extensions)
        {
            string path = Path.Combine(videoRoot, id + ext);
            if (File.Exists(path)) return path;
        }
        return Path.Combine(videoRoot, id + Extensions[0]);
    }

    private async Task<string[]> ReadLabelsAsync(CancellationToken ct)
    {
        JsonAnnotation json = await JsonAnnotation.LoadAsync(labelsJson, ct).ConfigureAwait(false);
        var byIndex = new Dictionary<int, string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach ((int line, string name, JsonElement value) in json.ObjectProperties())
        {
            if (!names.Add(name)) throw new ManifestFormatException(labelsJson, line, $"class '{name}' appears twice");
            int index;
            bool ok = value.ValueKind switch
            {
                JsonValueKind.String => int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out index),
                JsonValueKind.Number => value.TryGetInt32(out index),
                _ => (index = -1) >= 0,
            };
            if (!ok || index < 0) throw new ManifestFormatException(labelsJson, line, $"class '{name}' has index {value.GetRawText()}, expected a non-negative integer");
            if (!byIndex.TryAdd(index, name)) throw new ManifestFormatException(labelsJson, line, $"index {index} is given to '{byIndex[index]}' and '{name}'");
        }
        for (int i = 0; i < byIndex.Count; i++)
            if (!byIndex.ContainsKey(i)) throw new ManifestFormatException(labelsJson, 0, $"class indices are not 0..{byIndex.Count - 1}: {i} is missing");
        return Enumerable.Range(0, byIndex.Count).Select(i => byIndex[i]).ToArray();
    }
}
