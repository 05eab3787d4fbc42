using System.Globalization;
using System.Text.Json;
using CrossVideoMAE.Model.Checkpoints.Training;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Model.Optimization;
using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Train.Distributed;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Stages.Feed;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Torch.IO;
using CrossVideoMAE.Torch.Optim;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

public sealed record FinetuneRequest(string Manifest, string? Weights, FinetuneSettings Settings, string OutDir, Device Device)
{
    /// <summary>Continue from the newest checkpoint in OutDir at the exact batch and step.</summary>
    public bool Resume { get; init; }
    /// <summary>Stop after this many optimiser steps (a checkpoint is written there).</summary>
    public long? MaxSteps { get; init; }
    /// <summary>The data-parallel group this process is a rank of.</summary>
    public IRankGroup Group { get; init; } = SingleRank.Instance;
}

public sealed record FinetuneResult(string Classifier, string Checkpoint, long Steps, double FinalLoss, double? EvalTop1, string? EvalSplit);

/// <summary>
/// Supervised fine-tuning of a <see cref="VideoClassifier"/> from a pre-trained encoder with the method's
/// recipe: AdamW (0.9, 0.999) with layer-wise lr decay, warmup + cosine per optimiser step, drop path, head
/// dropout, and the strong video augmentation of the train feed (RandAugment, random erasing, mixup /
/// cutmix with label-smoothed soft targets: view u^2 of <see cref="CrossVideoViewAugmenter"/>), each clip
/// augmented <see cref="FinetuneSettings.RepeatedAugmentation"/> times per step. Writes
/// OUT/metrics.jsonl, OUT/classifier.safetensors and training checkpoints OUT/ckpt-*.safetensors.
/// <para>Like pre-training: gradient accumulation (accum_steps micro-batches per optimiser step, each loss
/// divided by accum_steps; an epoch's leftover micro-batches make one last, shorter step, the mean over them), clipping
/// (clip_grad), exact resume (<see cref="FinetuneRequest.Resume"/>: the batch order depends on (seed,
/// epoch), each sample's augmentation on (seed, epoch, position, copy), the mixing on (seed, epoch, batch,
/// rank); checkpoints name the next batch), and data parallel over <see cref="FinetuneRequest.Group"/>:
/// batch_size is the global batch, the stream's batches of batch_size / W rows are dealt out W at a time
/// (rank r trains the r-th of each W; an epoch's last incomplete set of W is dropped), gradients are
/// averaged (<see cref="GradientAverager"/>), rank 0 writes the files and evaluates.</para>
/// </summary>
public static class FineTuning
{
    public static async Task<FinetuneResult> RunAsync(FinetuneRequest q, TextWriter log, CancellationToken ct = default)
    {
        FinetuneSettings s = q.Settings;
        IRankGroup group = q.Group;
        int world = group.WorldSize, rank = group.Rank;
        bool writer = rank == 0;
        if (s.BatchSize % world != 0) throw new ArgumentException($"batch_size {s.BatchSize} (the global batch) must be a multiple of the {world} ranks");
        int localBatch = s.BatchSize / world, accum = s.AccumSteps;
        string settingsJson = JsonSerializer.Serialize(s);
        ConfigAgreement.Check(group, $"{settingsJson}\nweights={Path.GetFileName(q.Weights)}\nmax_steps={q.MaxSteps}\nresume={q.Resume}");
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(q.Manifest, ct);
        var counts = await loader.CountSplitsAsync(ct);
        int trainRows = counts.GetValueOrDefault(s.TrainSplit);
        if (trainRows == 0) throw new InvalidDataException($"{q.Manifest}: no rows in train split '{s.TrainSplit}'");
        using ModelWeights? weights = q.Weights is null ? null : ModelWeights.Load(q.Weights);
        ModelConfig config = DownstreamSetup.ResolveConfig(s.Config ?? (weights is null ? "tiny" : null), weights);
        int size = DownstreamSetup.InputSize(s.Size, weights, config, loader.ClipLength);
        int classes = loader.NumClasses;
        using VideoClassifier model = DownstreamSetup.Classifier(config, loader.ClipLength, size, classes, s.DropPath, s.HeadDropout, 2e-5, s.Seed);
        if (weights is not null) WeightsLoader.LoadEncoder(model.encoder, weights, WeightsLoader.VideoPrefixes);
        model.to(q.Device);

        var augmenter = new CrossVideoViewAugmenter(new AugmentConfig
        {
            ShortSide = (int)Math.Round(size * 256.0 / 224.0, MidpointRounding.AwayFromZero),
            CropSize = size,
            FlipProbability = s.FlipProbability,
            RandAugment = s.RandAugment,
            RandomErasing = s.RandomErasing > 0,
            ErasingProbability = s.RandomErasing,
            Mixup = s.MixupAlpha > 0,
            MixupAlpha = s.MixupAlpha,
            CutMix = s.CutmixAlpha > 0,
            CutMixAlpha = s.CutmixAlpha,
            LabelSmoothing = s.LabelSmoothing,
            NumClasses = classes,
        });
        using AdamW optimizer = OptimizerFactory.FineTuning(model, s.Lr, s.WeightDecay, s.LayerDecay);
        long batchesPerEpoch = (trainRows + s.BatchSize - 1) / s.BatchSize;
        long perEpoch = (batchesPerEpoch + accum - 1) / accum;
        var schedule = new WarmupCosineSchedule(s.Lr, s.WarmupEpochs * perEpoch, s.Epochs * perEpoch, s.MinLr);
        var stream = new TrainClipStream(loader, s.TrainSplit, localBatch);
        Directory.CreateDirectory(q.OutDir);
        log.WriteLine($"finetune: {(weights is null ? "random-init encoder" : weights.Path)} ({config.Name}, {loader.ClipLength}x{size}x{size}), {classes} classes, " +
                      $"{trainRows} train clips (each augmented {s.RepeatedAugmentation}x per step), {s.Epochs} epochs x {perEpoch} steps, lr {s.Lr:G4}" +
                      (world > 1 ? $", {world} ranks" : ""));

        long step = 0, nextBatch = 0;
        int startEpoch = 0;
        if (q.Resume) (step, startEpoch, nextBatch) = TrainingResume.Restore(q.OutDir, model, optimizer, s.BatchSize, log);
        foreach (Torch.NN.Parameter p in model.parameters()) group.Broadcast(p, root: 0);
        var averager = new GradientAverager(model.parameters().ToList(), group);
        string metricsPath = Path.Combine(q.OutDir, "metrics.jsonl");
        if (q.Resume && writer) MetricsLog.KeepUpTo(metricsPath, step - 1);
        long stopAt = q.MaxSteps is long m ? Math.Min(m, schedule.TotalSteps) : schedule.TotalSteps;
        double lastLoss = double.NaN;
        string? lastCheckpoint = null;
        using (MetricsLog? metrics = writer ? new MetricsLog(metricsPath, append: q.Resume) : null)
        using (var decoder = new ShardRowDecoder())
        {
            for (int epoch = startEpoch; epoch < s.Epochs && step < stopAt; epoch++)
            {
                model.train();
                double sum = 0, pendingLoss = 0;
                long seen = 0, batchIndex = 0;
                int pending = 0;
                var dealt = new List<IReadOnlyList<(ShardRow Row, string Source)>>(world);
                bool Step(int nextEpoch, long nextPosition)
                {
                    if (pending < accum)
                    {
                        // A shorter last step: the mean over the micro-batches it has, not a share of accum.
                        double scale = (double)accum / pending;
                        pendingLoss *= scale;
                        foreach (Torch.NN.Parameter p in model.parameters())
                            using (Tensor? g = p.grad) g?.mul_(scale);
                    }
                    pendingLoss = MeanOverRanks(group, pendingLoss);
                    averager.Average();
                    double lr = schedule.Apply(optimizer, Math.Min(step, schedule.TotalSteps));
                    double gradNorm = optimizer.clip_grad_norm(s.ClipGrad > 0 ? s.ClipGrad : double.PositiveInfinity);
                    optimizer.step();
                    optimizer.zero_grad();
                    if (!double.IsFinite(pendingLoss)) throw new InvalidOperationException($"fine-tuning loss became {pendingLoss} at step {step}");
                    metrics?.Write(new Dictionary<string, object>
                    {
                        ["step"] = step, ["epoch"] = epoch, ["batch"] = batchIndex, ["loss"] = pendingLoss, ["lr"] = lr, ["grad_norm"] = gradNorm, ["world_size"] = world,
                    });
                    step++;
                    pending = 0;
                    pendingLoss = 0;
                    bool stop = step >= stopAt;
                    if (writer && (stop || (s.CheckpointEvery > 0 && step % s.CheckpointEvery == 0)))
                        lastCheckpoint = SaveCheckpoint(q.OutDir, model, optimizer, step, nextEpoch, nextPosition, settingsJson, config.Name, size);
                    return stop;
                }
                bool stopped = false;
                await foreach (var rows in stream.EpochRowsAsync(s.Seed, epoch, ct))
                {
                    dealt.Add(rows);
                    if (dealt.Count < world) continue;
                    long index = batchIndex++;
                    var mine = dealt[rank];
                    dealt.Clear();
                    if (epoch == startEpoch && index < nextBatch) continue;   // trained before the checkpoint
                    using (DecodedBatch batch = TrainClipStream.Decode(mine, decoder))
                    using (var scope = torch.NewDisposeScope())
                    {
                        long first = index * s.BatchSize + (long)rank * localBatch;
                        int r = s.RepeatedAugmentation;
                        var (clips, frames, labels) = RepeatedAugmentation.Expand(
                            batch.Clips.to(q.Device), batch.Frames.to(q.Device), batch.Labels.to(q.Device), r);   // [B*R, ...]
                        // Sample i's copy k draws from its own source; the mixing from this rank's batch's.
                        AugmentRandom[] draws = Enumerable.Range(0, (int)clips.size(0))
                            .Select(row => AugmentRandom.ForSample(s.Seed, epoch, (first + row / r) * r + row % r)).ToArray();
                        using AugmentedViews views = augmenter.Apply(clips, frames, labels, AugmentRandom.ForBatch(s.Seed, epoch, index * world + rank), draws);
                        Tensor logits = model.forward(views.U2);                                          // [B*R, K]
                        Tensor loss = SoftTargetCrossEntropy(logits, views.Targets!);
                        (loss / accum).backward();
                        double value = loss.item();
                        sum += value * batch.Count;
                        seen += batch.Count;
                        pendingLoss += value / accum;
                        pending++;
                    }
                    if (pending == accum && Step(epoch, batchIndex * s.BatchSize)) { stopped = true; break; }
                }
                // An epoch's leftover micro-batches make one shorter step; the next epoch starts fresh.
                if (!stopped && pending > 0) stopped = Step(epoch + 1, 0);
                lastLoss = sum / Math.Max(1, seen);
                log.WriteLine($"  epoch {epoch + 1,3}/{s.Epochs}  loss {lastLoss:F4}  lr {schedule.LearningRate(Math.Min(step, schedule.TotalSteps)):G4}");
                if (stopped) break;
            }
        }
        model.eval();

        string classifier = Path.Combine(q.OutDir, "classifier.safetensors");
        if (!writer) return new FinetuneResult(classifier, lastCheckpoint ?? "", step, lastLoss, null, null);
        SafeTensors.Save(classifier, model.state_dict(), new Dictionary<string, string>
        {
            ["format"] = "cvmae-video-classifier", ["config"] = config.Name,
            ["size"] = size.ToString(CultureInfo.InvariantCulture), ["clip_length"] = loader.ClipLength.ToString(CultureInfo.InvariantCulture),
            ["classes"] = classes.ToString(CultureInfo.InvariantCulture), ["finetune"] = settingsJson,
        });
        string checkpoint = lastCheckpoint ?? SaveCheckpoint(q.OutDir, model, optimizer, step, s.Epochs, 0, settingsJson, config.Name, size);

        double? top1 = null;
        string? evalSplit = string.IsNullOrEmpty(s.EvalSplit) || !counts.ContainsKey(s.EvalSplit) ? null : s.EvalSplit;
        if (evalSplit is not null)
        {
            VideoScores scores = await MultiViewEvaluation.ScoreAsync(model, loader, evalSplit, 1, 1, size, s.BatchSize, q.Device, ct);
            top1 = scores.Metrics().Top1;
            log.WriteLine($"  {evalSplit}: top-1 {top1:P2} (centre crop, 1 clip; multi-view: cvmae eval)");
        }
        return new FinetuneResult(classifier, checkpoint, step, lastLoss, top1, evalSplit);
    }

    private static string SaveCheckpoint(string dir, VideoClassifier model, Optimizer optimizer, long step, int epoch, long nextSample, string settingsJson, string configName, int size) =>
        TrainingCheckpoint.Save(dir, new TrainingProgress
        {
            Step = step, Epoch = epoch, SampleInEpoch = nextSample, SchedulePosition = step, ConfigJson = settingsJson,
            Extra = new Dictionary<string, string> { ["model_config"] = configName, ["size"] = size.ToString(CultureInfo.InvariantCulture) },
        }, model.state_dict(), optimizer);


    private static double MeanOverRanks(IRankGroup group, double value)
    {
        if (group.WorldSize == 1) return value;
        using Tensor t = torch.tensor(new[] { value });
        group.AllReduceSum([t]);
        return t.data<double>()[0] / group.WorldSize;
    }

    // logits [B, K], soft targets [B, K] -> mean over the batch of -sum_k t_k log softmax(logits)_k
    public static Tensor SoftTargetCrossEntropy(Tensor logits, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        Tensor logp = torch.nn.functional.log_softmax(logits.to(ScalarType.Float32), 1);
        return scope.MoveToOuter((-(targets * logp)).sum(1).mean());
    }
}
