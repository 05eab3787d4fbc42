using System.Globalization;

namespace CrossVideoMAE.Stages.Datasets;

/// <summary>
/// UCF101 split files (ucfTrainTestlist): <c>classInd.txt</c> lines <c>"1 ApplyEyeMakeup"</c> (1-based,
/// consecutive), <c>trainlistNN.txt</c> lines <c>"ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1"</c>
/// and <c>testlistNN.txt</c> lines without the index. The class of a test line is its folder; a train
/// line's index must agree with its folder. Videos are <c>&lt;root&gt;/&lt;Class&gt;/&lt;file&gt;</c>
/// (the UCF-101 archive's layout); labels are 0-based (classInd index - 1).
/// </summary>
public sealed class Ucf101Reader(string splitDir, string videoRoot, int splitNumber = 1) : IDatasetReader
{
    public string Format => "ucf101";

    public async Task<DatasetManifest> ReadAsync(CancellationToken ct = default)
    {
        if (splitNumber is < 1 or > 99) throw new ArgumentOutOfRangeException(nameof(splitNumber), "split number must be 1..99");
        string[] classes = await ReadClassIndexAsync(Path.Combine(splitDir, "classInd.txt"), ct).ConfigureAwait(false);
        var classIndex = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < classes.Length; i++) classIndex[classes[i]] = i;

        var entries = new List<VideoEntry>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        string nn = splitNumber.ToString("D2", CultureInfo.InvariantCulture);
        foreach ((string file, string split, bool labelled) in new[]
                 {
                     (Path.Combine(splitDir, $"trainlist{nn}.txt"), DatasetSplits.Train, true),
                     (Path.Combine(splitDir, $"testlist{nn}.txt"), DatasetSplits.Test, false),
                 })
        {
            foreach ((int line, string text) in await AnnotationText.ReadLinesAsync(file, ct).ConfigureAwait(false))
            {
                string[] f = AnnotationText.Fields(text);
                // Test lists carry no index; a few redistributed copies add one, which is then checked too.
                if (labelled ? f.Length != 2 : f.Length is not (1 or 2))
                    throw new ManifestFormatException(file, line, labelled ? "expected 'Class/file.avi INDEX'" : "expected 'Class/file.avi'");
                string relative = f[0];
                if (VideoFiles.UnsafeRelativePath(relative) is string bad) throw new ManifestFormatException(file, line, bad);
                string[] parts = relative.Split('/');
                if (parts.Length != 2) throw new ManifestFormatException(file, line, $"'{relative}' is not Class/file");
                if (!classIndex.TryGetValue(parts[0], out int label))
                    throw new ManifestFormatException(file, line, $"class folder '{parts[0]}' is not in classInd.txt");
                if (f.Length == 2)
                {
                    if (!int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int given) || given < 1 || given > classes.Length)
                        throw new ManifestFormatException(file, line, $"class index '{f[1]}' is not 1..{classes.Length}");
                    if (given - 1 != label)
                        throw new ManifestFormatException(file, line, $"class index {given} ({classes[given - 1]}) disagrees with the folder '{parts[0]}'");
                }
                string id = Path.GetFileNameWithoutExtension(parts[1]);
                if (!seen.TryAdd(id, $"{file}:{line}")) throw new ManifestFormatException(file, line, $"video {id} is listed twice (first at {seen[id]})");
                entries.Add(new VideoEntry(id, Path.Combine(videoRoot, parts[0], parts[1]), label, classes[label], split));
            }
        }
        return new DatasetManifest(Format, classes, entries);
    }

    private static async Task<string[]> ReadClassIndexAsync(string file, CancellationToken ct)
    {
        var classes = new List<string>();
        foreach ((int line, string text) in await AnnotationText.ReadLinesAsync(file, ct).ConfigureAwait(false))
        {
            string[] f = AnnotationText.Fields(text);
            if (f.Length != 2 || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                throw new ManifestFormatException(file, line, "expected 'INDEX ClassName'");
            if (index != classes.Count + 1)
                throw new ManifestFormatException(file, line, $"class index {index} where {classes.Count + 1} was expected (indices are 1-based and consecutive)");
            if (VideoFiles.UnsafeName(f[1]) is string bad) throw new ManifestFormatException(file, line, bad);
            if (classes.Contains(f[1], StringComparer.OrdinalIgnoreCase)) throw new ManifestFormatException(file, line, $"class '{f[1]}' appears twice");
            classes.Add(f[1]);
        }
        if (classes.Count == 0) throw new ManifestFormatException(file, 0, "no classes");
        return classes.ToArray();
    }
}
