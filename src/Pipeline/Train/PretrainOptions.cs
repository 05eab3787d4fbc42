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

/// <summary>What the trainer reports after each optimiser step (for the progress display).</summary>
public sealed record StepReport(long Step, long TotalSteps, int Epoch, double Loss, double Lr, double ClipsPerSecond, double FeedWaitShare);

/// <summary>The outcome of a run, for the final summary line.</summary>
public sealed record PretrainSummary(long FirstStep, long LastStep, double Seconds, long Clips, double FinalLoss, double FeedWaitSeconds, string OutDir)
{
    public override string ToString() =>
        $"pretrain: steps {FirstStep + 1}..{LastStep} in {Seconds:F1} s, {(Seconds > 0 ? Clips / Seconds : 0):F2} clips/s, " +
        $"final loss {FinalLoss:F6}, waited on the feed {FeedWaitSeconds:F1} s ({(Seconds > 0 ? 100 * FeedWaitSeconds / Seconds : 0):F1}%); wrote {OutDir}";
}
