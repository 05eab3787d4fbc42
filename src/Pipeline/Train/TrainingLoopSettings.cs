using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Train;

/// <summary>
/// One micro-batch's loss as a step function returns it: <see cref="Total"/>, the scalar the loop
/// back-propagates (divided by the accumulation count), and <see cref="Terms"/>, its named parts as numbers
/// for the metrics, read after the backward pass; one of them must be "total".
/// </summary>
public sealed record StepLoss(Tensor Total, Func<IEnumerable<KeyValuePair<string, double>>> Terms);

/// <summary>
/// The job-specific part of training: the forward pass of one micro-batch and its loss. <paramref name="repeat"/>
/// counts the optimiser steps already taken on this batch (test-time adaptation takes several; otherwise 0).
/// Tensors it makes may be left in the caller's dispose scope.
/// </summary>
public delegate StepLoss StepFunction<in TBatch>(TBatch batch, int repeat);

/// <summary>
/// What <see cref="TrainingLoop{TBatch}"/> does around the step function: how long (epochs, max steps),
/// the learning-rate schedule (peak lr, warmup in epochs, a half-cycle cosine to the minimum, or constant),
/// gradient accumulation, steps per batch, clipping, autocast, and what it writes (metrics.jsonl,
/// training checkpoints) and resumes from.
/// </summary>
public sealed record TrainingLoopSettings
{
    /// <summary>The job's name in messages and the summary: pretrain, tta, finetune, linprobe.</summary>
    public required string Job { get; init; }
    /// <summary>The learning rate after warmup (already scaled by the batch where the recipe says so).</summary>
    public required double PeakLr { get; init; }
    public double WarmupEpochs { get; init; }
    public double MinLr { get; init; }
    /// <summary>No warmup and no decay (test-time adaptation).</summary>
    public bool ConstantLr { get; init; }
    /// <summary>Passes over the data; 0: as many as <see cref="MaxSteps"/> needs (the schedule then spans MaxSteps).</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>&gt; 0: stop after this many optimiser steps, wherever the schedule is.</summary>
    public long MaxSteps { get; init; }
    /// <summary>Micro-batches per optimiser step; each micro-batch's loss is divided by it, so the summed gradients are the mean's.</summary>
    public int AccumSteps { get; init; } = 1;
    /// <summary>Optimiser steps taken on each batch (test-time adaptation's K; needs AccumSteps 1, no checkpoints).</summary>
    public int StepsPerBatch { get; init; } = 1;
    /// <summary>&gt; 0 clips the global gradient norm to it.</summary>
    public double ClipGrad { get; init; }
    /// <summary>Run the step function under bf16 autocast on this device's type; null: float32.</summary>
    public Device? Autocast { get; init; }
    /// <summary>Write every N-th step's record to metrics.jsonl (and the last one).</summary>
    public int LogEvery { get; init; } = 1;
    /// <summary>metrics.jsonl (rank 0 writes it); null: no metrics file.</summary>
    public string? MetricsPath { get; init; }
    /// <summary>The folder of training checkpoints (rank 0 writes them; <see cref="Resume"/> reads the newest); null: none.</summary>
    public string? CheckpointDir { get; init; }
    /// <summary>&gt; 0: a checkpoint every N optimiser steps.</summary>
    public long CheckpointEvery { get; init; }
    /// <summary>A checkpoint after the last step too.</summary>
    public bool CheckpointAtEnd { get; init; }
    /// <summary>The job's settings, stored in each checkpoint.</summary>
    public string ConfigJson { get; init; } = "";
    /// <summary>More key/values for each checkpoint's header.</summary>
    public IReadOnlyDictionary<string, string>? CheckpointExtra { get; init; }
    /// <summary>Continue from the newest checkpoint in <see cref="CheckpointDir"/> at the exact batch and step.</summary>
    public bool Resume { get; init; }

    public TrainingLoopSettings Validate()
    {
        if (PeakLr <= 0 || !double.IsFinite(PeakLr)) throw new ArgumentException($"{Job}: the learning rate must be positive, got {PeakLr}");
        if (Epochs < 0 || MaxSteps < 0 || (Epochs == 0 && MaxSteps == 0))
            throw new ArgumentException($"{Job}: give a positive number of epochs or of max steps (got {Epochs} epochs, {MaxSteps} steps)");
        if (AccumSteps < 1) throw new ArgumentException($"{Job}: accumulation steps must be at least 1, got {AccumSteps}");
        if (StepsPerBatch < 1) throw new ArgumentException($"{Job}: steps per batch must be at least 1, got {StepsPerBatch}");
        if (StepsPerBatch > 1 && (AccumSteps > 1 || Resume || CheckpointEvery > 0 || CheckpointAtEnd))
            throw new ArgumentException($"{Job}: several steps per batch take no accumulation, checkpoints or resume");
        if ((Resume || CheckpointEvery > 0 || CheckpointAtEnd) && CheckpointDir is null)
            throw new ArgumentException($"{Job}: checkpoints and resume need a checkpoint folder");
        if (LogEvery < 1) throw new ArgumentException($"{Job}: log_every must be at least 1, got {LogEvery}");
        return this;
    }
}

/// <summary>What the trainer reports after each optimiser step (for the progress display).</summary>
public sealed record StepReport(long Step, long TotalSteps, int Epoch, double Loss, double Lr, double ClipsPerSecond, double FeedWaitShare);

/// <summary>What the trainer reports after each epoch it finished: the mean total loss of the epoch's steps run by this process.</summary>
public sealed record EpochReport(int Epoch, int Epochs, double MeanLoss, double Lr);

/// <summary>The outcome of a run, for the final summary line.</summary>
public sealed record TrainingSummary(string Job, long FirstStep, long LastStep, double Seconds, long Clips, double FinalLoss, double FeedWaitSeconds)
{
    /// <summary>The newest checkpoint this process wrote (rank 0), if any.</summary>
    public string? LastCheckpoint { get; init; }
    /// <summary>Mean total loss of each epoch finished in this process.</summary>
    public IReadOnlyList<double> EpochLosses { get; init; } = [];
    /// <summary>Where the job wrote its files (for the summary line).</summary>
    public string? OutDir { get; init; }

    public override string ToString() =>
        $"{Job}: steps {FirstStep + 1}..{LastStep} in {Seconds:F1} s, {(Seconds > 0 ? Clips / Seconds : 0):F2} clips/s, " +
        $"final loss {FinalLoss:F6}, waited on the feed {FeedWaitSeconds:F1} s ({(Seconds > 0 ? 100 * FeedWaitSeconds / Seconds : 0):F1}%)" +
        (OutDir is null ? "" : $"; wrote {OutDir}");
}
