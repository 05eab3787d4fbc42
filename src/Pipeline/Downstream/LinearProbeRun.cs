using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>What <c>cvmae linprobe</c> needs: where the data and weights are and the probe's settings.</summary>
public sealed record LinearProbeRequest(string Manifest, string? Weights, bool RandomInit, string? ConfigName, int? Size,
    string TrainSplit, string? EvalSplit, int BatchSize, Device Device, LinearProbeOptions Probe, ulong Seed);

/// <summary>The outcome written to linprobe.json.</summary>
public sealed record LinearProbeReport(string Weights, bool RandomInit, string Config, int ClipLength, int Size,
    string TrainSplit, string EvalSplit, int TrainClips, int EvalClips, int EvalVideos, int Epochs, int WarmupEpochs,
    double Lr, int BatchSize, double FinalTrainLoss, double TrainTop1, double Top1, double Top5,
    string[] ClassNames, double?[] PerClassAccuracy, int[][] Confusion, string Features);

/// <summary>
/// Linear probe: a frozen encoder (pre-trained, or random with the same config), features = the mean
/// of all encoder tokens of each clip's centre crop, computed once and standardised per dimension with
/// the train split's statistics (<see cref="FeatureStandardizer"/>); then the head trained on the train
/// split's features and evaluated on the held-out split (softmax averaged over the clips of a video).
/// </summary>
public static class LinearProbeRun
{
    public static async Task<LinearProbeReport> RunAsync(LinearProbeRequest q, TextWriter log, CancellationToken ct = default)
    {
        if (q.Weights is null && !q.RandomInit) throw new ArgumentException("give --weights, or --random-init for the random-encoder baseline");
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(q.Manifest, ct);
        string evalSplit = await loader.HeldOutSplitAsync(q.EvalSplit, ct);
        // With --random-init, weights (when given) only fix the config and input size: the baseline has the same shape.
        using ModelWeights? weights = q.Weights is null ? null : ModelWeights.Load(q.Weights);
        ModelConfig config = DownstreamSetup.ResolveConfig(q.ConfigName ?? (weights is null ? "tiny" : null), weights);
        int size = DownstreamSetup.InputSize(q.Size, weights, config, loader.ClipLength);
        using VideoClassifier model = DownstreamSetup.Classifier(config, loader.ClipLength, size, loader.NumClasses,
            dropPath: 0, headDropout: 0, headInitStd: 0.01, seed: q.Seed);
        if (!q.RandomInit) EncoderLoading.LoadEncoder(model, weights!);
        model.to(q.Device);
        model.eval();
        var extractor = new FeatureExtractor(model.encoder);
        var transform = DownstreamSetup.CenterCrop(size);

        log.WriteLine($"linprobe: {(q.RandomInit ? "random-init encoder" : weights!.Path)} ({config.Name}, {loader.ClipLength}x{size}x{size}), {loader.NumClasses} classes, eval split '{evalSplit}'");
        using ClipFeatures train = await ClipFeatures.ExtractAsync(loader, q.TrainSplit, extractor, transform, q.BatchSize, q.Device, ct: ct);
        using ClipFeatures held = await ClipFeatures.ExtractAsync(loader, evalSplit, extractor, transform, q.BatchSize, q.Device, ct: ct);
        log.WriteLine($"  features: {train.Clips.Count} train clips, {held.Clips.Count} {evalSplit} clips, dim {train.Features.size(1)}");

        // MAE's probe normalises each feature dimension with the train split's statistics (BatchNorm, no affine).
        using FeatureStandardizer standardizer = FeatureStandardizer.Fit(train.Features);
        using Tensor trainX = standardizer.Apply(train.Features);   // [N, D]
        using Tensor heldX = standardizer.Apply(held.Features);     // [M, D]
        IReadOnlyList<double> losses = LinearProbe.Train(model, trainX, train.Labels, q.Probe,
            (epoch, loss, lr) => { if (epoch % 10 == 9 || epoch == 0) log.WriteLine($"  epoch {epoch + 1,4}  loss {loss:F4}  lr {lr:G4}"); });

        double trainTop1;
        using (Tensor trainProbs = LinearProbe.Probabilities(model, trainX))
            trainTop1 = ClipTop1(trainProbs, train.Labels);
        var scores = new VideoScores(loader.NumClasses);
        using (Tensor probs = LinearProbe.Probabilities(model, heldX))   // [N, K]
        {
            float[] p = probs.contiguous().ToArray<float>();
            int k = loader.NumClasses;
            for (int i = 0; i < held.Clips.Count; i++) scores.Add(held.Clips[i].VideoId, held.Clips[i].Label, p.AsSpan(i * k, k));
        }
        ClassificationMetrics m = scores.Metrics();
        log.WriteLine($"  {evalSplit}: top-1 {m.Top1:P2}, top-5 {m.Top5:P2} over {m.Count} videos (train clips top-1 {trainTop1:P2})");
        return new LinearProbeReport(q.RandomInit ? "random-init" : weights!.Path, q.RandomInit, config.Name, loader.ClipLength, size, q.TrainSplit, evalSplit,
            train.Clips.Count, held.Clips.Count, m.Count, q.Probe.Epochs, q.Probe.WarmupEpochs, q.Probe.Lr, q.Probe.BatchSize,
            losses[^1], trainTop1, m.Top1, m.Top5, loader.ClassNames, m.PerClassAccuracy, m.Confusion,
            "mean of all encoder tokens (no final norm), centre crop, computed once per clip, standardised per dimension with the train split's statistics; no augmentation during the probe");
    }

    private static double ClipTop1(Tensor probs, int[] labels)
    {
        using Tensor pred = probs.argmax(1);
        long[] p = pred.ToArray<long>();
        return labels.Length == 0 ? 0 : (double)p.Where((v, i) => v == labels[i]).Count() / labels.Length;
    }
}
