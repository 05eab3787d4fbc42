namespace CrossVideoMAE.Pipeline.Report;

/// <summary>One clip's reconstruction/attention grid: an RGB PNG of <see cref="FigureImage.Rows"/> rows and one column per
/// tubelet, the frame index each column shows, and a caption.</summary>
public sealed record ReconstructionFigure(byte[] Png, int Width, int Height, int[] ColumnFrames, string Caption);

/// <summary>Everything <see cref="HtmlReport"/> draws; every part is optional except the title.</summary>
public sealed record ReportContent(string Title)
{
    /// <summary>metrics.jsonl of the training run (loss, lr, grad norm and throughput panels; the run card).</summary>
    public string? MetricsPath { get; init; }

    /// <summary>config.resolved.yaml of the run (the run card).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The dataset's index.json and its clips per split (the run card).</summary>
    public string? ManifestPath { get; init; }
    public IReadOnlyDictionary<string, int> RowsPerSplit { get; init; } = new Dictionary<string, int>();

    public IReadOnlyList<ResultFile> Results { get; init; } = [];

    /// <summary>Per-video embedding maps, one per encoder compared, all of one split.</summary>
    public IReadOnlyList<EmbeddingMap> Maps { get; init; } = [];
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    public string MapSplit { get; init; } = "";

    public IReadOnlyList<ReconstructionFigure> Figures { get; init; } = [];
}
