using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

public class SmokeTests
{
    [Fact]
    public void Tiny_forward_and_backward_produce_finite_terms()
    {
        using var scope = torch.NewDisposeScope();
        ModelConfig c = TinySetup.Config();
        using var model = new CrossVideoMAE(c, seed: 1);
        var batch = TinySetup.Batch(c, 3, 2, seed: 2);
        var loss = new CrossVideoMaeLoss(LossConfig.Default, c);
        using var g = new Generator(3);
        CrossVideoMaeOutput o = model.forward(batch, g);
        LossTerms terms = loss.Compute(o, batch);
        terms.Total.backward();
        foreach (var (name, value) in terms.Named())
            Assert.True(double.IsFinite(value.item()), name);
        Assert.Equal(new long[] { 3, 8, c.PixelsPerToken }, o.View1.Prediction!.shape);
    }
}
