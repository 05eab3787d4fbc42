using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Model.Optimization;
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
    /// <summary>Trains <c>model.head</c> on features [N, D]; returns the mean loss of each epoch.</summary>
    public static IReadOnlyList<double> Train(VideoClassifier model, Tensor features, IReadOnlyList<int> labels, LinearProbeOptions options,
        Action<int, double, double>? onEpoch = null)
    {
        long n = features.size(0);
        if (n != labels.Count || n == 0) throw new ArgumentException($"{n} feature rows but {labels.Count} labels");
        if (options.Epochs < 1 || options.WarmupEpochs < 0 || options.WarmupEpochs > options.Epochs || options.BatchSize < 1)
            throw new ArgumentException($"linear probe needs epochs >= 1, 0 <= warmup <= epochs and batch >= 1 (got {options})");
        Device device = model.head.fc.weight.device;
        SGD optimizer = OptimizerFactory.LinearProbe(model, options.Lr);
        long perEpoch = (n + options.BatchSize - 1) / options.BatchSize;
        var schedule = new WarmupCosineSchedule(options.Lr, options.WarmupEpochs * perEpoch, options.Epochs * perEpoch);
        using var generator = new Generator(options.Seed);
        using Tensor x = features.to(device, ScalarType.Float32);                                      // [N, D]
        using Tensor y = torch.tensor(labels.Select(l => (long)l).ToArray(), [n]).to(device);         // [N]
        model.train();
        var losses = new List<double>();
        long step = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            double sum = 0;
            double lr = 0;
            using Tensor order = torch.randperm(n, generator).to(device);                                // [N]
            for (long start = 0; start < n; start += options.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                lr = schedule.Apply(optimizer, step++);
                Tensor idx = order.narrow(0, start, Math.Min(options.BatchSize, n - start));             // [b]
                Tensor logits = model.head.forward(x.index_select(0, idx));                              // [b, K]
                Tensor loss = torch.nn.functional.cross_entropy(logits, y.index_select(0, idx));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                sum += loss.item() * idx.size(0);
            }
            losses.Add(sum / n);
            onEpoch?.Invoke(epoch, sum / n, lr);
        }
        model.eval();
        return losses;
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
