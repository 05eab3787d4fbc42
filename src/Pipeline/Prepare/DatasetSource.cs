using CrossVideoMAE.Stages.Datasets;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>Picks the annotation reader for --format and reads the manifest.</summary>
public static class DatasetSource
{
    public static readonly IReadOnlyList<string> Formats = ["kinetics400", "ssv2", "ucf101", "hmdb51", "folder"];

    /// <summary>The dataset root: the folder input paths are relative to in an input's identity.</summary>
    public static string VideoRoot(PrepareOptions o)
    {
        string first = o.Annotations[0];
        return o.VideoRoot ?? (Directory.Exists(first) ? first : Path.GetDirectoryName(Path.GetFullPath(first))!);
    }

    public static IDatasetReader Reader(PrepareOptions o)
    {
        string first = o.Annotations[0];
        string videoRoot = VideoRoot(o);
        return o.Format.ToLowerInvariant() switch
        {
            "kinetics400" or "k400" => new Kinetics400Reader(videoRoot, o.Annotations),
            "ssv2" => new SomethingSomethingV2Reader(
                o.Labels ?? throw new ArgumentException("--format ssv2 needs --labels labels.json"), videoRoot, o.Annotations),
            "ucf101" => new Ucf101Reader(first, videoRoot, o.SplitNumber),
            "hmdb51" => new Hmdb51Reader(first, videoRoot, o.SplitNumber),
            "folder" => new FolderDatasetReader(o.VideoRoot ?? first),
            _ => throw new ArgumentException($"unknown --format '{o.Format}' (one of: {string.Join(", ", Formats)})"),
        };
    }

    /// <summary>The manifest, restricted to the requested splits and to this machine's partition.</summary>
    public static async Task<(DatasetManifest manifest, List<VideoEntry> inputs)> LoadAsync(PrepareOptions o, CancellationToken ct)
    {
        DatasetManifest manifest = await Reader(o).ReadAsync(ct);
        var splits = o.Splits.Select(s => DatasetSplits.Normalise(s) ?? throw new ArgumentException($"unknown split '{s}'")).ToHashSet();
        var inputs = manifest.Entries
            .Where(e => splits.Count == 0 || splits.Contains(e.Split))
            .Where(e => o.Partition.Contains(e.VideoId))
            .ToList();
        var duplicate = inputs.GroupBy(e => (e.VideoId, e.Split)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidDataException($"the annotations list video '{duplicate.Key.VideoId}' twice in split '{duplicate.Key.Split}'");
        return (manifest, inputs);
    }
}
