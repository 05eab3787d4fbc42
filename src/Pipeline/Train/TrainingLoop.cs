using System.Diagnostics;
using CrossVideoMAE.Model.Checkpoints.Training;
using CrossVideoMAE.Model.Optimization;
using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Train.Distributed;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;

namespace CrossVideoMAE.Pipeline.Train;

/// <summary>
/// The one training loop of every training job (pretrain, test-time adaptation, finetune, linprobe), run on
/// one rank or on each rank of a data-parallel group. The job gives the model, its optimiser, a batch source
/// (<see cref="IBatchSource{TBatch}"/>) and a step function (<see cref="StepFunction{TBatch}"/>: one
/// micro-batch's forward pass and loss); the loop does the rest, the same way for all of them:
/// <list type="number">
/// <item>resume: the newest checkpoint restores the weights, the optimiser's state and the position (epoch,
/// next batch); metrics logged after it are dropped; every rank starts from rank 0's weights;</item>
/// <item>each micro-batch: the step function (under bf16 autocast when asked), then the backward pass of
/// loss / accum_steps (gradients sum to the mean's); the backward pass of a step's last micro-batch also
/// averages the gradients over the ranks, bucket by bucket while it runs (<see cref="GradientAverager"/>:
/// libtorch's DDP reducer);</item>
/// <item>every accum_steps micro-batches (an epoch keeps only whole steps): the wait for the last gradient
/// buckets, loss terms averaged over the ranks, lr from the schedule (linear warmup, half-cycle cosine per
/// optimiser step, or constant), clipping, the optimiser step;</item>
/// <item>after each step: a metrics.jsonl record, a progress report, a checkpoint naming the next batch when
/// due (rank 0 writes files).</item>
/// </list>
/// Because a batch depends only on (seed, epoch, batch index) and a checkpoint names the next batch, a
/// resumed run takes the steps an uninterrupted run would have.
/// </summary>
public sealed class TrainingLoop<TBatch>(Module model, Optimizer optimizer, IBatchSource<TBatch> source, StepFunction<TBatch> stepFunction,
    TrainingLoopSettings settings, IRankGroup group, TextWriter log) where TBatch : ITrainingBatch
{
    // Freed tensor memory stays in the process for reuse; over hundreds of steps the heap fragments
    // and the resident size creeps up. Handing the free pages back this often keeps it flat
    // (bench/pretrain-rss.sh) for one round of page faults per interval.
    private const int ReleaseMemoryEvery = 100;

    /// <summary>Called after every optimiser step.</summary>
    public Action<StepReport>? OnStep { get; init; }
    /// <summary>Called after every epoch this process finished.</summary>
    public Action<EpochReport>? OnEpoch { get; init; }

    /// <summary>Optimiser steps in one epoch, once the accumulation has dropped an epoch's incomplete step.</summary>
    public long StepsPerEpoch => source.BatchesPerEpoch / settings.AccumSteps * settings.StepsPerBatch;

    /// <summary>The steps the schedule spans: epochs x steps per epoch, or max steps when epochs is 0.</summary>
    public long TotalSteps => settings.Epochs > 0 ? settings.Epochs * StepsPerEpoch : settings.MaxSteps;

    public async Task<TrainingSummary> RunAsync(CancellationToken ct = default)
    {
        settings.Validate();
        int accum = settings.AccumSteps, repeats = settings.StepsPerBatch;
        long batchesPerEpoch = source.BatchesPerEpoch / accum * accum;
        if (batchesPerEpoch == 0)
            throw new InvalidDataException($"{source.Name}: {source.Samples} samples are fewer than one optimiser step needs " +
                                           $"(batch {source.BatchSize} x accum_steps {accum}; an epoch trains on full batches only)");
        long stepsPerEpoch = StepsPerEpoch, totalSteps = TotalSteps;
        long stopAt = settings.MaxSteps > 0 ? Math.Min(settings.MaxSteps, totalSteps) : totalSteps;
        var schedule = settings.ConstantLr
            ? new WarmupCosineSchedule(settings.PeakLr, 0, totalSteps, MinLr: settings.PeakLr)
            : new WarmupCosineSchedule(settings.PeakLr, Math.Min(totalSteps, (long)Math.Round(settings.WarmupEpochs * stepsPerEpoch)), totalSteps, settings.MinLr);
        bool writer = group.Rank == 0;

        long step = 0, startBatch = 0;
        int epoch = 0;
        if (settings.Resume) (step, epoch, startBatch) = TrainingResume.Restore(settings.CheckpointDir!, model, optimizer, source.BatchSize, log);
        // Every rank starts from rank 0's weights (they agree already when built from the same seed or file).
        List<Parameter> parameters = model.parameters().ToList();
        foreach (Parameter p in parameters) group.Broadcast(p, root: 0);
        using var averager = new GradientAverager(parameters, group);
        if (settings.Resume && writer && settings.MetricsPath is not null) MetricsLog.KeepUpTo(settings.MetricsPath, step);
        using MetricsLog? metrics = writer && settings.MetricsPath is not null ? new MetricsLog(settings.MetricsPath, append: settings.Resume) : null;

        long firstStep = step, clips = 0, stepClips = 0;
        int posEpoch = epoch;
        long posBatch = startBatch;
        string? lastCheckpoint = null;
        long checkpointStep = -1;
        double feedWait = 0, stepFeedWait = 0, lastLoss = double.NaN, epochLossSum = 0;
        long epochSteps = 0;
        var epochLosses = new List<double>();
        var sums = new Dictionary<string, double>();
        var wall = Stopwatch.StartNew();
        var stepClock = Stopwatch.StartNew();

        while (step < stopAt)
        {
            await using (IAsyncEnumerator<TBatch> batches = source.EpochAsync(epoch, startBatch, batchesPerEpoch - startBatch, ct).GetAsyncEnumerator(ct))
            {
                while (step < stopAt)
                {
                    var waitClock = Stopwatch.StartNew();
                    if (!await batches.MoveNextAsync().ConfigureAwait(false)) break;
                    double waited = waitClock.Elapsed.TotalSeconds;
                    feedWait += waited;
                    stepFeedWait += waited;
                    using TBatch batch = batches.Current;
                    for (int k = 0; k < repeats && step < stopAt; k++)
                    {
                        MicroStep(batch, k, accum, sums, averager);
                        long batchClips = batch.Size * group.WorldSize;
                        clips += batchClips;
                        stepClips += batchClips;
                        if ((batch.BatchIndex + 1) % accum != 0) continue;

                        double reduceBefore = averager.Seconds;
                        averager.Average();
                        double reduceSeconds = averager.Seconds - reduceBefore;
                        MeanOverRanks(sums);
                        double lr = schedule.Apply(optimizer, Math.Min(step, schedule.TotalSteps));
                        double gradNorm = optimizer.clip_grad_norm(settings.ClipGrad > 0 ? settings.ClipGrad : double.PositiveInfinity);
                        optimizer.step();
                        optimizer.zero_grad();
                        step++;

                        // The position after this step: the next batch of this epoch, or the next epoch's first.
                        posEpoch = batch.Epoch;
                        posBatch = batch.BatchIndex + 1;
                        if (posBatch >= batchesPerEpoch) (posEpoch, posBatch) = (posEpoch + 1, 0);

                        if (!sums.TryGetValue("total", out double total))
                            throw new InvalidOperationException($"{settings.Job}: the step function gave no \"total\" loss term");
                        lastLoss = total / accum;
                        if (!double.IsFinite(lastLoss))
                            throw new InvalidOperationException($"{settings.Job}: the loss became {lastLoss} at step {step} (epoch {batch.Epoch}, batch {batch.BatchIndex})");
                        epochLossSum += lastLoss;
                        epochSteps++;
                        double seconds = stepClock.Elapsed.TotalSeconds;
                        double clipsPerSecond = seconds > 0 ? stepClips / seconds : 0;
                        if (metrics is not null && (step % settings.LogEvery == 0 || step == stopAt))
                        {
                            var record = new Dictionary<string, object>
                            {
                                ["step"] = step, ["epoch"] = batch.Epoch, ["batch"] = batch.BatchIndex, ["sample"] = batch.FirstSample,
                                ["lr"] = lr, ["grad_norm"] = gradNorm, ["clips_per_s"] = clipsPerSecond,
                                ["feed_wait_ms"] = stepFeedWait * 1000, ["step_ms"] = seconds * 1000,
                                ["allreduce_ms"] = reduceSeconds * 1000, ["world_size"] = group.WorldSize,
                            };
                            foreach (var (name, sum) in sums) record["loss_" + name] = sum / accum;
                            metrics.Write(record);
                        }
                        OnStep?.Invoke(new StepReport(step, stopAt, batch.Epoch, lastLoss, lr, clipsPerSecond, seconds > 0 ? stepFeedWait / seconds : 0));
                        sums.Clear();
                        stepFeedWait = 0;
                        stepClips = 0;
                        stepClock.Restart();

                        if (step % ReleaseMemoryEvery == 0) torch.release_free_memory();
                        bool due = (settings.CheckpointEvery > 0 && step % settings.CheckpointEvery == 0) || (settings.CheckpointAtEnd && step == stopAt);
                        if (writer && due)
                        {
                            lastCheckpoint = SaveCheckpoint(step, posEpoch, posBatch);
                            checkpointStep = step;
                        }
                    }
                }
            }
            if (posEpoch > epoch && epochSteps > 0)
            {
                epochLosses.Add(epochLossSum / epochSteps);
                OnEpoch?.Invoke(new EpochReport(epoch, settings.Epochs, epochLossSum / epochSteps, schedule.LearningRate(Math.Min(step, schedule.TotalSteps))));
            }
            epochLossSum = 0;
            epochSteps = 0;
            epoch++;
            startBatch = 0;
            if (settings.Epochs > 0 && epoch >= settings.Epochs) break;
        }
        // A resumed run with nothing left to do still ends with a checkpoint of where it stands.
        if (writer && settings.CheckpointAtEnd && checkpointStep != step) lastCheckpoint = SaveCheckpoint(step, posEpoch, posBatch);

        return new TrainingSummary(settings.Job, firstStep, step, wall.Elapsed.TotalSeconds, clips, lastLoss, feedWait)
        {
            LastCheckpoint = lastCheckpoint, EpochLosses = epochLosses,
        };
    }

    // One micro-batch: the step function's forward pass and the backward pass of its loss / accum.
    private void MicroStep(TBatch batch, int repeat, int accum, Dictionary<string, double> sums, GradientAverager averager)
    {
        using var scope = torch.NewDisposeScope();
        StepLoss loss;
        using (settings.Autocast is { } device ? torch.autocast(device.Type) : null)
            loss = stepFunction(batch, repeat);
        averager.BeforeBackward(loss.Total, sync: (batch.BatchIndex + 1) % accum == 0);   // the step's last micro-batch reduces during backward
        // With ranks, a backward pass through gathered embeddings all-reduces their gradients: a dead peer fails it.
        group.Run("backward pass", () => (loss.Total / accum).backward());
        foreach (var (name, value) in loss.Terms())
            sums[name] = sums.GetValueOrDefault(name) + value;
    }

    // Each rank's loss terms are means over its share of the batch; their mean over ranks is the global batch's.
    private void MeanOverRanks(Dictionary<string, double> sums)
    {
        if (group.WorldSize == 1) return;
        string[] names = sums.Keys.Order(StringComparer.Ordinal).ToArray();
        using Tensor values = torch.tensor(names.Select(n => sums[n]).ToArray());   // [terms] float64
        group.AllReduceSum([values]);
        double[] total = values.data<double>().ToArray();
        for (int i = 0; i < names.Length; i++) sums[names[i]] = total[i] / group.WorldSize;
    }

    private string SaveCheckpoint(long step, int epoch, long nextBatch) =>
        TrainingCheckpoint.Save(settings.CheckpointDir!, new TrainingProgress
        {
            Step = step, Epoch = epoch, SampleInEpoch = nextBatch * source.BatchSize, SchedulePosition = step, ConfigJson = settings.ConfigJson,
            Extra = settings.CheckpointExtra ?? new Dictionary<string, string>(),
        }, model.state_dict(), optimizer);
}
