using CrossVideoMAE.Model.Checkpoints.Training;
using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;

namespace CrossVideoMAE.Pipeline.Train;

/// <summary>
/// <c>--resume</c> for every training job: loads the newest usable checkpoint of a folder into the model
/// and the optimiser and returns where the run goes on (the step, the epoch and the next batch).
/// Checkpoints that cannot be used are passed over with a log line; none usable, or one whose sample
/// position does not fit the batch size, is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class TrainingResume
{
    public static (long Step, int Epoch, long NextBatch) Restore(string checkpoints, Module model, Optimizer optimizer, int batchSize, TextWriter log)
    {
        CheckpointDiscovery found = CheckpointDirectory.FindLatest(checkpoints);
        foreach (string r in found.Rejected) log.WriteLine($"resume: passed over {r}");
        if (found.Latest is null) throw new InvalidDataException($"--resume: no usable checkpoint in '{checkpoints}'");
        using TrainingCheckpointData data = TrainingCheckpoint.Load(found.Latest.Path);
        data.RestoreModel(model);
        data.RestoreOptimizer(optimizer);
        TrainingProgress p = data.Progress;
        if (p.SampleInEpoch % batchSize != 0)
            throw new InvalidDataException($"{found.Latest.Path}: sample position {p.SampleInEpoch} is not a multiple of the batch size {batchSize} (was the batch size changed?)");
        log.WriteLine($"resume: {found.Latest.Path} (step {p.Step}, epoch {p.Epoch}, sample {p.SampleInEpoch})");
        // A checkpoint at an epoch's end names the next epoch's start.
        return (p.Step, checked((int)p.Epoch), p.SampleInEpoch / batchSize);
    }
}
