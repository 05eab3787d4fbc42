namespace CrossVideoMAE.Stages.Datasets;

/// <summary>
/// A plain folder of class folders: <c>&lt;root&gt;/&lt;class&gt;/&lt;video&gt;</c>. Labels are the class folder
/// names sorted ordinally; every video gets <paramref name="split"/>. Hidden folders and files that are
/// not videos (by extension, see <see cref="VideoFiles"/>) are skipped; videos directly under the root
/// have no class and are an error.
/// </summary>
public sealed class FolderDatasetReader(string root, string split = DatasetSplits.Train) : IDatasetReader
{
    public string Format => "folder";

    public Task<DatasetManifest> ReadAsync(CancellationToken ct = default)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"dataset folder not found: {root}");
        string splitName = DatasetSplits.Normalise(split) ?? throw new ArgumentException($"unknown split '{split}'", nameof(split));
        string? stray = Directory.EnumerateFiles(root).Where(VideoFiles.IsVideo).Order(StringComparer.Ordinal).FirstOrDefault();
        if (stray is not null) throw new ManifestFormatException(stray, 0, "a video directly under the dataset folder has no class folder");

        string[] classes = Directory.EnumerateDirectories(root)
            .Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.'))
            .Order(StringComparer.Ordinal).ToArray();
        var entries = new List<VideoEntry>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int label = 0; label < classes.Length; label++)
        {
            ct.ThrowIfCancellationRequested();
            string folder = Path.Combine(root, classes[label]);
            foreach (string path in Directory.EnumerateFiles(folder).Where(VideoFiles.IsVideo).Order(StringComparer.Ordinal))
            {
                string id = Path.GetFileNameWithoutExtension(path);
                if (!seen.TryAdd(id, path)) throw new ManifestFormatException(path, 0, $"video id {id} is also {seen[id]}");
                entries.Add(new VideoEntry(id, path, label, classes[label], splitName));
            }
        }
        return Task.FromResult(new DatasetManifest(Format, classes, entries));
    }
}
