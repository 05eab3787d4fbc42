using System.Globalization;

namespace CrossVideoMAE.Stages.Datasets;

/// <summary>
/// HMDB51 split files (testTrainMulti_7030_splits): one file per class and split,
/// <c>&lt;class&gt;_test_split&lt;N&gt;.txt</c>, lines <c>"&lt;file&gt;.avi &lt;id&gt;"</c> with id 1 = train,
/// 2 = test, 0 = not used in this split (skipped). Labels are the class names sorted ordinally.
/// Videos are <c>&lt;root&gt;/&lt;class&gt;/&lt;file&gt;</c> (the layout of the unpacked per-class archives).
/// </summary>
public sealed class Hmdb51Reader(string splitDir, string videoRoot, int splitNumber = 1) : IDatasetReader
{
    public string Format => "hmdb51";

    public async Task<DatasetManifest> ReadAsync(CancellationToken ct = default)
    {
        if (!Directory.Exists(splitDir)) throw new DirectoryNotFoundException($"split folder not found: {splitDir}");
        string suffix = $"_test_split{splitNumber.ToString(CultureInfo.InvariantCulture)}.txt";
        var files = Directory.EnumerateFiles(splitDir, "*" + suffix)
            .Select(f => (File: f, Class: Path.GetFileName(f)[..^suffix.Length]))
            .Where(f => f.Class.Length > 0)
            .OrderBy(f => f.Class, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0) throw new ManifestFormatException(splitDir, 0, $"no '*{suffix}' files");
        string[] classes = files.Select(f => f.Class).ToArray();

        var entries = new List<VideoEntry>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int label = 0; label < files.Count; label++)
        {
            (string file, string cls) = files[label];
            if (VideoFiles.UnsafeName(cls) is string badClass) throw new ManifestFormatException(file, 0, badClass);
            foreach ((int line, string text) in await AnnotationText.ReadLinesAsync(file, ct).ConfigureAwait(false))
            {
                string[] f = AnnotationText.Fields(text);
                if (f.Length != 2) throw new ManifestFormatException(file, line, "expected 'file.avi ID' with ID 0, 1 or 2");
                if (VideoFiles.UnsafeName(f[0]) is string bad) throw new ManifestFormatException(file, line, bad);
                string? split = f[1] switch { "0" => null, "1" => DatasetSplits.Train, "2" => DatasetSplits.Test, _ => "bad" };
                if (split == "bad") throw new ManifestFormatException(file, line, $"split id '{f[1]}' is not 0 (unused), 1 (train) or 2 (test)");
                if (split is null) continue;
                string id = Path.GetFileNameWithoutExtension(f[0]);
                if (!seen.TryAdd(id, $"{file}:{line}")) throw new ManifestFormatException(file, line, $"video {id} is listed twice (first at {seen[id]})");
                entries.Add(new VideoEntry(id, Path.Combine(videoRoot, cls, f[0]), label, cls, split));
            }
        }
        return new DatasetManifest(Format, classes, entries);
    }
}
