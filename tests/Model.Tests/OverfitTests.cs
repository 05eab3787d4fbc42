using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.Model.Optimization;
using CrossVideoMAE.Torch;
using Xunit;
using Xunit.Abstractions;

namespace CrossVideoMAE.Model.Tests;

public class OverfitTests(ITestOutputHelper log)
{
    [Fact]
    public void Tiny_model_drives_the_total_loss_down_on_a_fixed_batch()
    {
        ModelConfig c = TinySetup.Config();
        using var model = new CrossVideoMAE(c, seed: 1);
        CrossVideoMaeBatch batch = TinySetup.Batch(c, 4, 1, seed: 2);
        var loss = new CrossVideoMaeLoss(LossConfig.Default, c);
        using var optimizer = OptimizerFactory.Pretraining(model, lr: 2e-3, weightDecay: 0.0);
        using var maskGenerator = new Generator(3);
        const int steps = 150;
        var totals = new double[steps];
        Dictionary<string, double> first = [], last = [];
        for (int step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            LossTerms terms = loss.Compute(model.forward(batch, maskGenerator), batch);
            terms.Total.backward();
            optimizer.step();
            totals[step] = terms.Total.item();
            if (step == 0) first = terms.ToScalars();
            if (step == steps - 1) last = terms.ToScalars();
        }
        foreach (string k in first.Keys) log.WriteLine($"{k,-12} {first[k],9:F4} -> {last[k],9:F4}");
        double start = totals.Take(10).Average(), end = totals.Skip(steps - 20).Average();
        log.WriteLine($"total: first 10 steps {start:F4}, last 20 steps {end:F4}");
        Assert.All(totals, t => Assert.True(double.IsFinite(t)));
        Assert.True(end < 0.5 * start, $"the total loss fell only from {start:F4} to {end:F4}");
        Assert.True(last["rl"] < 0.5 * first["rl"], $"reconstruction fell only from {first["rl"]:F4} to {last["rl"]:F4}");
    }
}
