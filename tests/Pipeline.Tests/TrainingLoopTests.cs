using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.Pipeline.Train.Distributed;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>The one training loop on its own, with a least-squares step function whose SGD steps are worked out by hand.</summary>
public sealed class TrainingLoopTests
{
    private const int Rows = 10, Dim = 3;

    // Features x_i = (i, 1, i mod 3) / 4 and targets y_i = i mod 2 (as labels), float64 for the hand computation.
    private static (double[][] X, int[] Y) Data() =>
        (Enumerable.Range(0, Rows).Select(i => new[] { i / 4.0, 0.25, i % 3 / 4.0 }).ToArray(), Enumerable.Range(0, Rows).Select(i => i % 2).ToArray());

    private static Tensor Features(double[][] x) => torch.tensor(x.SelectMany(r => r.Select(v => (float)v)).ToArray(), [Rows, Dim]);

    // loss = mean over the micro-batch of (x . w - y)^2
    private static StepFunction<FeatureBatch> LeastSquares(Linear model) => (batch, _) =>
    {
        Tensor residual = model.forward(batch.X).squeeze(1) - batch.Y.to(ScalarType.Float32);    // [b]
        Tensor loss = residual.pow(2).mean();
        return new StepLoss(loss, () => [new("total", loss.item())]);
    };

    [Fact]
    public async Task Accumulated_micro_batches_take_the_sgd_step_of_their_mean_and_an_epoch_keeps_whole_steps()
    {
        var (x, y) = Data();
        const double lr = 0.05;
        const int batch = 2, accum = 2, epochs = 2;
        using var model = new Linear(Dim, 1, hasBias: false);
        using (torch.no_grad()) model.weight.zero_();
        using var source = new FeatureBatchSource(Features(x), y, batch, seed: 5, Device.CPU);
        using var optimizer = new SGD([new ParamGroup(model.parameters().ToList(), lr, 0)]);
        var loop = new TrainingLoop<FeatureBatch>(model, optimizer, source, LeastSquares(model), new TrainingLoopSettings
        {
            Job = "test", PeakLr = lr, ConstantLr = true, Epochs = epochs, AccumSteps = accum,
        }, SingleRank.Instance, TextWriter.Null);
        Assert.Equal(2, loop.StepsPerEpoch);   // 5 batches of 2: two steps of 2 x 2, the fifth batch is left out
        TrainingSummary summary = await loop.RunAsync();
        Assert.Equal(4, summary.LastStep);

        // By hand: each step takes the epoch's next 4 rows in the source's order; w -= lr * (2/4) sum_i (x_i . w - y_i) x_i.
        var w = new double[Dim];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var order = new List<long>();
            await foreach (FeatureBatch b in source.EpochAsync(epoch, 0, source.BatchesPerEpoch))
                using (b)
                {
                    float[] rows = b.X.contiguous().ToArray<float>();
                    for (int r = 0; r < b.Size; r++)
                        order.Add(Array.FindIndex(x, xr => Math.Abs(xr[0] - rows[r * Dim]) < 1e-6 && Math.Abs(xr[2] - rows[r * Dim + 2]) < 1e-6));
                }
            for (int step = 0; step < 2; step++)
            {
                var grad = new double[Dim];
                foreach (int i in order.Skip(step * 4).Take(4))
                {
                    double residual = x[i].Zip(w, (a, b) => a * b).Sum() - y[i];
                    for (int d = 0; d < Dim; d++) grad[d] += 2.0 / 4 * residual * x[i][d];
                }
                for (int d = 0; d < Dim; d++) w[d] -= lr * grad[d];
            }
        }
        float[] trained = model.weight.contiguous().ToArray<float>();
        for (int d = 0; d < Dim; d++) Assert.Equal(w[d], trained[d], 5);
        Assert.Equal(2, summary.EpochLosses.Count);
    }

    [Fact]
    public async Task A_loss_that_is_not_finite_stops_the_run_naming_the_step()
    {
        var (x, y) = Data();
        using var model = new Linear(Dim, 1, hasBias: false);
        using var source = new FeatureBatchSource(Features(x), y, 5, seed: 1, Device.CPU);
        using var optimizer = new SGD([new ParamGroup(model.parameters().ToList(), 0.1, 0)]);
        StepFunction<FeatureBatch> nan = (batch, _) =>
        {
            Tensor loss = model.forward(batch.X).sum() * double.NaN;
            return new StepLoss(loss, () => [new("total", loss.item())]);
        };
        var loop = new TrainingLoop<FeatureBatch>(model, optimizer, source, nan, new TrainingLoopSettings { Job = "test", PeakLr = 0.1, Epochs = 1 },
            SingleRank.Instance, TextWriter.Null);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => loop.RunAsync());
        Assert.Contains("test: the loss became NaN at step 1", e.Message);
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new TrainingLoopSettings { Job = "t", PeakLr = 0.1, Epochs = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingLoopSettings { Job = "t", PeakLr = 0.1, StepsPerBatch = 2, AccumSteps = 2 }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingLoopSettings { Job = "t", PeakLr = 0.1, Resume = true }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingLoopSettings { Job = "t", PeakLr = 0 }.Validate());
    }
}
