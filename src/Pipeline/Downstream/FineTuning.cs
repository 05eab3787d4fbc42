using System.Globalization;
using System.Text.Json;
using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints.Training;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Model.Optimization;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using CrossVideoMAE.Torch.Optim;

namespace CrossVideoMAE.Pipeline.Downstream;

public sealed record FinetuneRequest(string Manifest, string? Weights, FinetuneSettings Settings, string OutDir, Device Device);

public sealed record FinetuneResult(string Classifier, string Checkpoint, long Steps, double FinalLoss, double? EvalTop1, string? EvalSplit);

/// <summary>
/// Supervised fine-tuning of a <see cref="VideoClassifier"/> from a pre-trained encoder with the method's
/// recipe: AdamW (0.9, 0.999) with layer-wise lr decay, warmup + cosine per iteration, drop path, head
/// dropout, and the strong video augmentation of the train feed (RandAugment, random erasing, mixup /
/// cutmix with label-smoothed soft targets: view u^2 of <see cref="CrossVideoViewAugmenter"/>), each clip
/// augmented <see cref="FinetuneSettings.RepeatedAugmentation"/> times per step. Writes
/// OUT/metrics.jsonl, OUT/classifier.safetensors and a training checkpoint OUT/ckpt-*.safetensors.
/// </summary>
public static class FineTuning
{
    public static async Task<FinetuneResult> RunAsync(FinetuneRequest q, TextWriter log, CancellationToken ct = default)
    {
        FinetuneSettings s = q.Settings;
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(q.Manifest, ct);
        var counts = await loader.CountSplitsAsync(ct);
        int trainRows = counts.GetValueOrDefault(s.TrainSplit);
        if (trainRows == 0) throw new InvalidDataException($"{q.Manifest}: no rows in train split '{s.TrainSplit}'");
        using ModelWeights? weights = q.Weights is null ? null : ModelWeights.Load(q.Weights);
        ModelConfig config = DownstreamSetup.ResolveConfig(s.Config ?? (weights is null ? "tiny" : null), weights);
        int size = DownstreamSetup.InputSize(s.Size, weights, config, loader.ClipLength);
        int classes = loader.NumClasses;
        using VideoClassifier model = DownstreamSetup.Classifier(config, loader.ClipLength, size, classes, s.DropPath, s.HeadDropout, 2e-5, s.Seed);
        if (weights is not null) EncoderLoading.LoadEncoder(model, weights);
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
        AdamW optimizer = OptimizerFactory.FineTuning(model, s.Lr, s.WeightDecay, s.LayerDecay);
        long perEpoch = (trainRows + s.BatchSize - 1) / s.BatchSize;
        var schedule = new WarmupCosineSchedule(s.Lr, s.WarmupEpochs * perEpoch, s.Epochs * perEpoch, s.MinLr);
        var stream = new TrainClipStream(loader, s.TrainSplit, s.BatchSize);
        Directory.CreateDirectory(q.OutDir);
        log.WriteLine($"finetune: {(weights is null ? "random-init encoder" : weights.Path)} ({config.Name}, {loader.ClipLength}x{size}x{size}), {classes} classes, " +
                      $"{trainRows} train clips (each augmented {s.RepeatedAugmentation}x per step), {s.Epochs} epochs x {perEpoch} steps, lr {s.Lr:G4}");

        long step = 0;
        double lastLoss = double.NaN;
        using (var metrics = new MetricsLog(Path.Combine(q.OutDir, "metrics.jsonl"), append: false))
        {
            for (int epoch = 0; epoch < s.Epochs; epoch++)
            {
                model.train();
                double sum = 0;
                long seen = 0;
                await foreach (DecodedBatch batch in stream.EpochAsync(s.Seed, epoch, ct))
                    using (batch)
                    using (var scope = torch.NewDisposeScope())
                    {
                        var aug = new AugmentRandom(unchecked(s.Seed * 1_000_003UL + (ulong)step));
                        double lr = schedule.Apply(optimizer, Math.Min(step, schedule.TotalSteps));
                        var (clips, frames, labels) = RepeatedAugmentation.Expand(
                            batch.Clips.to(q.Device), batch.Frames.to(q.Device), batch.Labels.to(q.Device), s.RepeatedAugmentation);   // [B*R, ...]
                        using AugmentedViews views = augmenter.Apply(clips, frames, labels, aug);
                        Tensor logits = model.forward(views.U2);                                          // [B, K]
                        Tensor loss = SoftTargetCrossEntropy(logits, views.Targets!);
                        optimizer.zero_grad();
                        loss.backward();
                        optimizer.step();
                        double value = loss.item();
                        if (!double.IsFinite(value)) throw new InvalidOperationException($"fine-tuning loss became {value} at step {step}");
                        sum += value * batch.Count;
                        seen += batch.Count;
                        metrics.Write(new Dictionary<string, object>
                        {
                            ["step"] = step, ["epoch"] = epoch, ["loss"] = value, ["lr"] = lr,
                        });
                        step++;
                    }
                lastLoss = sum / Math.Max(1, seen);
                log.WriteLine($"  epoch {epoch + 1,3}/{s.Epochs}  loss {lastLoss:F4}  lr {schedule.LearningRate(step):G4}");
            }
        }
        model.eval();

        string settingsJson = JsonSerializer.Serialize(s);
        string classifier = Path.Combine(q.OutDir, "classifier.safetensors");
        SafeTensors.Save(classifier, model.state_dict(), new Dictionary<string, string>
        {
            ["format"] = "cvmae-video-classifier", ["config"] = config.Name,
            ["size"] = size.ToString(CultureInfo.InvariantCulture), ["clip_length"] = loader.ClipLength.ToString(CultureInfo.InvariantCulture),
            ["classes"] = classes.ToString(CultureInfo.InvariantCulture), ["finetune"] = settingsJson,
        });
        string checkpoint = TrainingCheckpoint.Save(q.OutDir, new TrainingProgress
        {
            Step = step, Epoch = s.Epochs, SchedulePosition = step, ConfigJson = settingsJson,
            Extra = new Dictionary<string, string> { ["model_config"] = config.Name, ["size"] = size.ToString(CultureInfo.InvariantCulture) },
        }, model.state_dict(), optimizer);

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

    // logits [B, K], soft targets [B, K] -> mean over the batch of -sum_k t_k log softmax(logits)_k
    public static Tensor SoftTargetCrossEntropy(Tensor logits, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        Tensor logp = torch.nn.functional.log_softmax(logits.to(ScalarType.Float32), 1);
        return scope.MoveToOuter((-(targets * logp)).sum(1).mean());
    }
}
