using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Model.Optimization;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.Pipeline.Train.Distributed;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Optim;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>Linear-probe settings (docs/method.md: SGD lr 0.1, momentum 0.9, wd 0, 100 epochs, warmup 10, cosine).</summary>
public sealed record LinearProbeOptions(int Epochs = 100, int WarmupEpochs = 10, double Lr = 0.1, int BatchSize = 64, ulong Seed = 0);

/// <summary>
/// Trains the classifier's head (mean-pooled tokens -> LayerNorm -> Linear) on precomputed,
/// fixed features of a frozen encoder. Features are computed once per clip (centre crop), so the
/// probe sees no augmentation; that is what makes 100 epochs cheap.
/// </summary>
public static class LinearProbe
{
    /// <summary>Trains <c>model.head</c> on features [N, D] with the one training loop (no metrics, no
    /// checkpoints: it is cheap to run again); returns the mean loss of each epoch.</summary>
    public static async Task<IReadOnlyList<double>> TrainAsync(VideoClassifier model, Tensor features, IReadOnlyList<int> labels, LinearProbeOptions options,
        Action<int, double, double>? onEpoch = null, CancellationToken ct = default)
    {
        if (options.Epochs < 1 || options.WarmupEpochs < 0 || options.WarmupEpochs > options.Epochs || options.BatchSize < 1)
            throw new ArgumentException($"linear probe needs epochs >= 1, 0 <= warmup <= epochs and batch >= 1 (got {options})");
        using var source = new FeatureBatchSource(features, labels, options.BatchSize, options.Seed, model.head.fc.weight.device);
        using SGD optimizer = OptimizerFactory.LinearProbe(model, options.Lr);
        StepLoss Step(FeatureBatch batch, int repeat)
        {
            Tensor logits = model.head.forward(batch.X);                                                 // [b, K]
            Tensor loss = torch.nn.functional.cross_entropy(logits, batch.Y);
            return new StepLoss(loss, () => [new("total", loss.item())]);
        }
        var loop = new TrainingLoop<FeatureBatch>(model, optimizer, source, Step, new TrainingLoopSettings
        {
            Job = "linprobe", PeakLr = options.Lr, WarmupEpochs = options.WarmupEpochs, Epochs = options.Epochs,
        }, SingleRank.Instance, TextWriter.Null)
        {
            OnEpoch = e => onEpoch?.Invoke(e.Epoch, e.MeanLoss, e.Lr),
        };
        model.train();
        TrainingSummary summary = await loop.RunAsync(ct).ConfigureAwait(false);
        model.eval();
        return summary.EpochLosses;
    }

    /// <summary>Softmax class probabilities of the head for features [N, D] -> [N, K] (CPU).</summary>
    public static Tensor Probabilities(VideoClassifier model, Tensor features)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        model.eval();
        Tensor logits = model.head.forward(features.to(model.head.fc.weight.device, ScalarType.Float32)); // [N, K]
        return scope.MoveToOuter(torch.nn.functional.softmax(logits, 1).cpu());
    }
}
