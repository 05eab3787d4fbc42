namespace CrossVideoMAE.Stages.Datasets;

/// <summary>
/// One video of a dataset manifest. <see cref="Label"/> is the 0-based class index in the
/// manifest's <see cref="DatasetManifest.LabelNames"/>, or -1 with an empty
/// <see cref="LabelName"/> when the annotation gives none (e.g. a test split without labels).
/// <see cref="Split"/> is one of <see cref="DatasetSplits"/>.
/// </summary>
public sealed record VideoEntry(string VideoId, string Path, int Label, string LabelName, string Split)
{
    public const int NoLabel = -1;
}
