namespace CrossVideoMAE.Stages.Datasets;

/// <summary>What a dataset reader produces: the class names (index = label) and the videos of every split it read.</summary>
public sealed record DatasetManifest(string Format, IReadOnlyList<string> LabelNames, IReadOnlyList<VideoEntry> Entries)
{
    public IEnumerable<VideoEntry> Split(string split) => Entries.Where(e => e.Split == split);
}
