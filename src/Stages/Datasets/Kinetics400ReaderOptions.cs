namespace CrossVideoMAE.Stages.Datasets;

public sealed record Kinetics400ReaderOptions
{
    public KineticsLayout Layout { get; init; } = KineticsLayout.Auto;
    /// <summary>The class list (index = label). Null: the sorted distinct labels of the CSV files, which is the
    /// official 400-class order when a file holds every class.</summary>
    public IReadOnlyList<string>? LabelNames { get; init; }
    /// <summary>Extensions tried for each video, in order; the first is used when none exists on disk.</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [".mp4", ".webm", ".mkv", ".avi"];
}
