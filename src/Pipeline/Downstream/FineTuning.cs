using System.Globalization;
using System.Text.Json;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Model.Optimization;
using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Train.Distributed;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.Stages.Augment;
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
/// dropout, and the strong video augmentation (RandAugment, random erasing, mixup / cutmix with
/// label-smoothed soft targets: view u² of <see cref="CrossVideoViewAugmenter"/>), each clip augmented
/// <see cref="FinetuneSettings.RepeatedAugmentation"/> times per step.
/// <para>The soft-target cross-entropy is the step function of <see cref="TrainingLoop{TBatch}"/>, the loop
/// pre-training runs on, fed by the pre-training feed in its labelled mode (<see cref="TrainFeed"/>,
/// <see cref="FeedOptions.Labelled"/>), so fine-tuning has what pre-training has: gradient accumulation
/// (an epoch keeps only whole optimiser steps and only full batches), clipping, bf16 autocast, exact resume
/// (each sample's augmentation depends on (seed, epoch, position, copy), the mixing on (seed, epoch, batch,
/// rank); checkpoints name the next batch), data parallel over <see cref="FinetuneRequest.Group"/>
/// (batch_size is the global batch; rank 0 writes the files and evaluates), metrics.jsonl and progress.</para>
/// Writes OUT/metrics.jsonl, OUT/classifier.safetensors and training checkpoints OUT/ckpt-*.safetensors.
/// </summary>
public static class FineTuning
{
    public const string MetricsFile = "metrics.jsonl", ClassifierFile = "classifier.safetensors";

    public static async Task<FinetuneResult> RunAsync(FinetuneRequest q, TextWriter log, CancellationToken ct = default, Action<StepReport>? onStep = null)
    {
        FinetuneSettings s = q.Settings;
        IRankGroup group = q.Group;
        int world = group.WorldSize;
        bool writer = group.Rank == 0;
        if (s.BatchSize % world != 0) throw new ArgumentException($"batch_size {s.BatchSize} (the global batch) must be a multiple of the {world} ranks");
        string settingsJson = JsonSerializer.Serialize(s);
        ConfigAgreement.Check(group, $"{settingsJson}\nweights={Path.GetFileName(q.Weights)}\nmax_steps={q.MaxSteps}\nresume={q.Resume}");
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(q.Manifest, ct);
        var counts = await loader.CountSplitsAsync(ct);
        int trainRows = counts.GetValueOrDefault(s.TrainSplit);
        if (trainRows == 0) throw new InvalidDataException($"{q.Manifest}: no rows in train split '{s.TrainSplit}'");
        string? evalSplit = string.IsNullOrEmpty(s.EvalSplit) || !counts.ContainsKey(s.EvalSplit) ? null : s.EvalSplit;
        loader.CheckShardsPresent(evalSplit is null ? [s.TrainSplit] : [s.TrainSplit, evalSplit]);
        using ModelWeights? weights = q.Weights is null ? null : ModelWeights.Load(q.Weights);
        ModelConfig config = DownstreamSetup.ResolveConfig(s.Config ?? (weights is null ? "tiny" : null), weights);
        int size = DownstreamSetup.InputSize(s.Size, weights, config, loader.ClipLength);
        int classes = loader.NumClasses;
        using VideoClassifier model = DownstreamSetup.Classifier(config, loader.ClipLength, size, classes, s.DropPath, s.HeadDropout, 2e-5, s.Seed);
        if (weights is not null) WeightsLoader.LoadEncoder(model.encoder, weights, WeightsLoader.VideoPrefixes);
        model.to(q.Device);

        using var feed = await TrainFeed.OpenAsync(q.Manifest, new FeedOptions(s.BatchSize, AugmentConfigFor(s, size, classes), s.Seed)
        {
            Labelled = true, Repeats = s.RepeatedAugmentation, Splits = [s.TrainSplit],
            DecodeThreads = s.DecodeThreads, Device = q.Device, Rank = group.Rank, WorldSize = world,
        }, ct).ConfigureAwait(false);
        using AdamW optimizer = OptimizerFactory.FineTuning(model, s.Lr, s.WeightDecay, s.LayerDecay);
        Directory.CreateDirectory(q.OutDir);

        StepLoss Step(FeedBatch batch, int repeat)
        {
            Tensor logits = model.forward(batch.View2);                                  // [B*R, K]
            Tensor loss = SoftTargetCrossEntropy(logits, batch.Targets!);
            return new StepLoss(loss, () => [new("total", loss.item())]);
        }
        var loop = new TrainingLoop<FeedBatch>(model, optimizer, feed, Step, new TrainingLoopSettings
        {
            Job = "finetune", PeakLr = s.Lr, WarmupEpochs = s.WarmupEpochs, MinLr = s.MinLr, Epochs = s.Epochs, MaxSteps = q.MaxSteps ?? 0,
            AccumSteps = s.AccumSteps, ClipGrad = s.ClipGrad, Autocast = s.Bf16 ? q.Device : null,
            MetricsPath = Path.Combine(q.OutDir, MetricsFile), CheckpointDir = q.OutDir, CheckpointEvery = s.CheckpointEvery, CheckpointAtEnd = true,
            ConfigJson = settingsJson, Resume = q.Resume,
            CheckpointExtra = new Dictionary<string, string> { ["model_config"] = config.Name, ["size"] = size.ToString(CultureInfo.InvariantCulture) },
        }, group, log)
        {
            OnStep = onStep,
            OnEpoch = e => log.WriteLine($"  epoch {e.Epoch + 1,3}/{e.Epochs}  loss {e.MeanLoss:F4}  lr {e.Lr:G4}"),
        };
        log.WriteLine($"finetune: {(weights is null ? "random-init encoder" : weights.Path)} ({config.Name}, {loader.ClipLength}x{size}x{size}), {classes} classes, " +
                      $"{trainRows} train clips (each augmented {s.RepeatedAugmentation}x per step), {s.Epochs} epochs x {loop.StepsPerEpoch} steps, lr {s.Lr:G4}" +
                      (world > 1 ? $", {world} ranks" : ""));
        model.train();
        TrainingSummary summary = await loop.RunAsync(ct).ConfigureAwait(false);
        model.eval();
        double finalLoss = summary.EpochLosses.Count > 0 ? summary.EpochLosses[^1] : summary.FinalLoss;

        string classifier = Path.Combine(q.OutDir, ClassifierFile);
        if (!writer) return new FinetuneResult(classifier, summary.LastCheckpoint ?? "", summary.LastStep, finalLoss, null, null);
        SafeTensors.Save(classifier, model.state_dict(), new Dictionary<string, string>
        {
            ["format"] = "cvmae-video-classifier", ["config"] = config.Name,
            ["size"] = size.ToString(CultureInfo.InvariantCulture), ["clip_length"] = loader.ClipLength.ToString(CultureInfo.InvariantCulture),
            ["classes"] = classes.ToString(CultureInfo.InvariantCulture), ["finetune"] = settingsJson,
        });

        double? top1 = null;
        if (evalSplit is not null)
        {
            VideoScores scores = await MultiViewEvaluation.ScoreAsync(model, loader, evalSplit, 1, 1, size, s.BatchSize, q.Device, ct);
            top1 = scores.Metrics().Top1;
            log.WriteLine($"  {evalSplit}: top-1 {top1:P2} (centre crop, 1 clip; multi-view: cvmae eval)");
        }
        return new FinetuneResult(classifier, summary.LastCheckpoint!, summary.LastStep, finalLoss, top1, evalSplit);
    }

    // The fine-tuning recipe's augmentation at this input size: short side scaled like 256 for 224, the u² chain switches.
    private static AugmentConfig AugmentConfigFor(FinetuneSettings s, int size, int classes) => new()
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
    };

    // logits [B, K], soft targets [B, K] -> mean over the batch of -sum_k t_k log softmax(logits)_k
    public static Tensor SoftTargetCrossEntropy(Tensor logits, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        Tensor logp = torch.nn.functional.log_softmax(logits.to(ScalarType.Float32), 1);
        return scope.MoveToOuter((-(targets * logp)).sum(1).mean());
    }
}
