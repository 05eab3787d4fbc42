namespace CrossVideoMAE.Model.Checkpoints.Training;

/// <summary>Where training stands when a checkpoint is written: enough to resume exactly.</summary>
public sealed record TrainingProgress
{
    /// <summary>Optimiser steps taken so far (also the checkpoint's file number).</summary>
    public required long Step { get; init; }

    /// <summary>The epoch in progress (0-based).</summary>
    public long Epoch { get; init; }

    /// <summary>Samples of <see cref="Epoch"/> already consumed, the position in its deterministic shuffle.</summary>
    public long SampleInEpoch { get; init; }

    /// <summary>The learning-rate / weight-decay schedule's position (usually equal to <see cref="Step"/>).</summary>
    public long SchedulePosition { get; init; }

    /// <summary>The run's configuration as JSON (validated as JSON when saved).</summary>
    public string ConfigJson { get; init; } = "{}";

    /// <summary>When the checkpoint was written (UTC); set by the writer.</summary>
    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>Further string facts to keep (best metric, git commit, ...).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}
