using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>What <c>cvmae linprobe</c> needs: where the data and weights are and the probe's settings.</summary>
public sealed record LinearProbeRequest(string Manifest, string? Weights, bool RandomInit, string? ConfigName, int? Size,
    string TrainSplit, string? EvalSplit, int BatchSize, Device Device, LinearProbeOptions Probe, ulong Seed, int? LabelsPerClass = null,
    int Repeats = 1)
{
    /// <summary>The data-parallel group: the ranks share the feature extraction (<see cref="ClipFeatures"/>), then
    /// each trains the same head on all features (deterministic: the same on every rank); rank 0 reports.</summary>
    public Train.Distributed.IRankGroup Group { get; init; } = Train.Distributed.SingleRank.Instance;
}

/// <summary>The outcome written to linprobe.json. With several repeats, Top1, Top5, TrainTop1 and
/// FinalTrainLoss are means over the runs (each run's top-1 in Top1PerRun, its seed in Seeds), and
/// Confusion and PerClassAccuracy count the held-out videos of all runs together.</summary>
public sealed record LinearProbeReport(string Weights, bool RandomInit, string Config, int ClipLength, int Size,
    string TrainSplit, string EvalSplit, int? LabelsPerClass, int TrainVideos, int TrainClips, int EvalClips, int EvalVideos, int Epochs, int WarmupEpochs,
    double Lr, int BatchSize, double FinalTrainLoss, double TrainTop1, double Top1, double Top5, ulong[] Seeds, double[] Top1PerRun,
    string[] ClassNames, double?[] PerClassAccuracy, int[][] Confusion, string Features);

/// <summary>
/// Linear probe: a frozen encoder (pre-trained, or random with the same config), features = the mean
/// of all encoder tokens of each clip's centre crop, computed once and standardised per dimension with
/// the train split's statistics (<see cref="FeatureStandardizer"/>); then the head trained on the train
/// split's features and evaluated on the held-out split (softmax averaged over the clips of a video).
/// With <see cref="LinearProbeRequest.LabelsPerClass"/> = n the head sees only n labelled videos per
/// class of the train split (<see cref="LabelSubset"/>): a few-label probe.
/// <see cref="LinearProbeRequest.Repeats"/> = R runs the probe with seeds Seed .. Seed + R - 1 (a new
/// head, shuffle and few-label choice each time; for a random-init encoder also new encoder weights)
/// and reports the mean: one probe of a few dozen held-out videos moves by several points with the seed.
/// </summary>
public static class LinearProbeRun
{
    private const string FeatureNote = "mean of all encoder tokens (no final norm), centre crop, computed once per clip, standardised per dimension with the train split's statistics; no augmentation during the probe";

    public static async Task<LinearProbeReport> RunAsync(LinearProbeRequest q, TextWriter log, CancellationToken ct = default)
    {
        if (q.Weights is null && !q.RandomInit) throw new ArgumentException("give --weights, or --random-init for the random-encoder baseline");
        if (q.LabelsPerClass is < 1) throw new ArgumentException($"--labels-per-class must be at least 1, got {q.LabelsPerClass}");
        if (q.Repeats < 1) throw new ArgumentException($"--repeats must be at least 1, got {q.Repeats}");
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(q.Manifest, ct);
        string evalSplit = await loader.HeldOutSplitAsync(q.EvalSplit, ct);
        loader.CheckShardsPresent(q.TrainSplit, evalSplit);
        // With --random-init, weights (when given) only fix the config and input size: the baseline has the same shape.
        using ModelWeights? weights = q.Weights is null ? null : ModelWeights.Load(q.Weights);
        ModelConfig config = DownstreamSetup.ResolveConfig(q.ConfigName ?? (weights is null ? "tiny" : null), weights);
        int size = DownstreamSetup.InputSize(q.Size, weights, config, loader.ClipLength);
        var transform = DownstreamSetup.CenterCrop(size);
        log.WriteLine($"linprobe: {(q.RandomInit ? "random-init encoder" : weights!.Path)} ({config.Name}, {loader.ClipLength}x{size}x{size}), {loader.NumClasses} classes, eval split '{evalSplit}'" +
                      (q.Repeats > 1 ? $", {q.Repeats} runs (seeds {q.Seed}..{q.Seed + (ulong)q.Repeats - 1})" : ""));

        var runs = new List<ProbeRun>();
        ClipFeatures? allTrain = null, held = null;
        try
        {
            for (int r = 0; r < q.Repeats; r++)
            {
                ulong seed = q.Seed + (ulong)r;
                using VideoClassifier model = DownstreamSetup.Classifier(config, loader.ClipLength, size, loader.NumClasses,
                    dropPath: 0, headDropout: 0, headInitStd: 0.01, seed: seed);
                if (!q.RandomInit) WeightsLoader.LoadEncoder(model.encoder, weights!, WeightsLoader.VideoPrefixes);
                model.to(q.Device);
                model.eval();
                // A loaded encoder gives the same features every run; a random one is new each run.
                if (allTrain is null || q.RandomInit)
                {
                    allTrain?.Dispose();
                    held?.Dispose();
                    (allTrain, held) = (null, null);
                    var extractor = new FeatureExtractor(model.encoder);
                    allTrain = await ClipFeatures.ExtractAsync(loader, q.TrainSplit, extractor, transform, q.BatchSize, q.Device, ct: ct, group: q.Group);
                    held = await ClipFeatures.ExtractAsync(loader, evalSplit, extractor, transform, q.BatchSize, q.Device, ct: ct, group: q.Group);
                }
                if (q.Repeats > 1) log.WriteLine($"  run {r + 1}/{q.Repeats} (seed {seed})");
                runs.Add(await ProbeOnceAsync(model, allTrain, held!, loader.NumClasses, evalSplit, q, seed, r == 0 ? log : TextWriter.Null, log, ct));
            }
        }
        finally
        {
            allTrain?.Dispose();
            held?.Dispose();
        }

        ProbeRun first = runs[0];
        int k = loader.NumClasses;
        int[][] confusion = Enumerable.Range(0, k).Select(row => Enumerable.Range(0, k).Select(col => runs.Sum(x => x.Metrics.Confusion[row][col])).ToArray()).ToArray();
        double?[] perClass = confusion.Select((row, c) => row.Sum() == 0 ? (double?)null : (double)row[c] / row.Sum()).ToArray();
        double top1 = runs.Average(x => x.Metrics.Top1), top5 = runs.Average(x => x.Metrics.Top5);
        if (q.Repeats > 1)
            log.WriteLine($"  {evalSplit}, mean of {q.Repeats} runs: top-1 {top1:P2} (runs: {string.Join(", ", runs.Select(x => x.Metrics.Top1.ToString("P1")))}), top-5 {top5:P2}");
        return new LinearProbeReport(q.RandomInit ? "random-init" : weights!.Path, q.RandomInit, config.Name, loader.ClipLength, size, q.TrainSplit, evalSplit,
            q.LabelsPerClass, first.TrainVideos, first.TrainClips, first.HeldClips, first.Metrics.Count, q.Probe.Epochs, q.Probe.WarmupEpochs, q.Probe.Lr, q.Probe.BatchSize,
            runs.Average(x => x.FinalLoss), runs.Average(x => x.TrainTop1), top1, top5,
            runs.Select(x => x.Seed).ToArray(), runs.Select(x => x.Metrics.Top1).ToArray(), loader.ClassNames, perClass, confusion, FeatureNote);
    }

    private sealed record ProbeRun(ulong Seed, int TrainVideos, int TrainClips, int HeldClips, double FinalLoss, double TrainTop1, ClassificationMetrics Metrics);

    // One probe: the train features (all, or the few-label choice of this seed) standardised, the head trained, the held-out
    // videos scored. Epoch losses go to epochLog (the first run's only, when repeated), the rest to log.
    private static async Task<ProbeRun> ProbeOnceAsync(VideoClassifier model, ClipFeatures allTrain, ClipFeatures held, int numClasses, string evalSplit,
        LinearProbeRequest q, ulong seed, TextWriter epochLog, TextWriter log, CancellationToken ct)
    {
        using ClipFeatures? fewLabels = q.LabelsPerClass is { } perClass ? allTrain.Subset(LabelSubset.Rows(allTrain.Clips, perClass, seed)) : null;
        ClipFeatures train = fewLabels ?? allTrain;
        int trainVideos = train.Clips.Select(c => c.VideoId).Distinct().Count();
        epochLog.WriteLine($"  features: {train.Clips.Count} train clips of {trainVideos} videos{(q.LabelsPerClass is { } most ? $" (at most {most} labelled videos per class)" : "")}, " +
                      $"{held.Clips.Count} {evalSplit} clips, dim {train.Features.size(1)}");

        // MAE's probe normalises each feature dimension with the train split's statistics (BatchNorm, no affine).
        using FeatureStandardizer standardizer = FeatureStandardizer.Fit(train.Features);
        using Tensor trainX = standardizer.Apply(train.Features);   // [N, D]
        using Tensor heldX = standardizer.Apply(held.Features);     // [M, D]
        IReadOnlyList<double> losses = await LinearProbe.TrainAsync(model, trainX, train.Labels, q.Probe with { Seed = seed },
            (epoch, loss, lr) => { if (epoch % 10 == 9 || epoch == 0) epochLog.WriteLine($"  epoch {epoch + 1,4}  loss {loss:F4}  lr {lr:G4}"); }, ct);

        double trainTop1;
        using (Tensor trainProbs = LinearProbe.Probabilities(model, trainX))
            trainTop1 = ClipTop1(trainProbs, train.Labels);
        var scores = new VideoScores(numClasses);
        using (Tensor probs = LinearProbe.Probabilities(model, heldX))   // [M, K]
        {
            float[] p = probs.contiguous().ToArray<float>();
            for (int i = 0; i < held.Clips.Count; i++) scores.Add(held.Clips[i].VideoId, held.Clips[i].Label, p.AsSpan(i * numClasses, numClasses));
        }
        ClassificationMetrics m = scores.Metrics();
        log.WriteLine($"  {evalSplit}: top-1 {m.Top1:P2}, top-5 {m.Top5:P2} over {m.Count} videos (train clips top-1 {trainTop1:P2})");
        return new ProbeRun(seed, trainVideos, train.Clips.Count, held.Clips.Count, losses[^1], trainTop1, m);
    }

    private static double ClipTop1(Tensor probs, int[] labels)
    {
        using Tensor pred = probs.argmax(1);
        long[] p = pred.ToArray<long>();
        return labels.Length == 0 ? 0 : (double)p.Where((v, i) => v == labels[i]).Count() / labels.Length;
    }
}
