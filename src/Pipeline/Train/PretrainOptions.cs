namespace CrossVideoMAE.Pipeline.Train;

/// <summary>
/// The command-line side of a pre-training run (the YAML side is <see cref="PretrainSettings"/>).
/// <see cref="MaxSteps"/> overrides optim.max_steps; <see cref="TtaSteps"/> &gt; 0 switches to
/// test-time adaptation (see <see cref="PretrainRun"/>).
/// </summary>
public sealed record PretrainOptions(string ManifestPath, string OutDir)
{
    public bool Resume { get; init; }
    public long? MaxSteps { get; init; }
    public string? InitVideo { get; init; }
    public string? InitImage { get; init; }
    public string? InitModel { get; init; }
    public int TtaSteps { get; init; }
    /// <summary>The data-parallel group this process is a rank of (<see cref="Distributed.SingleRank"/> when alone).</summary>
    public Distributed.IRankGroup Group { get; init; } = Distributed.SingleRank.Instance;
    /// <summary>This rank's index on its machine: a run.device of plain "cuda" becomes cuda:LocalRank when data-parallel.</summary>
    public int LocalRank { get; init; }
    /// <summary>Splits of the manifest to train on (empty: every split).</summary>
    public IReadOnlyList<string> Splits { get; init; } = [];
}
