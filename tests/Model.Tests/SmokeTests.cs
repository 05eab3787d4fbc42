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

    [Fact]
    public void Under_bf16_autocast_the_losses_stay_float32_and_close_to_float32_values()
    {
        using var scope = torch.NewDisposeScope();
        ModelConfig c = TinySetup.Config();
        using var model = new CrossVideoMAE(c, seed: 1);
        var batch = TinySetup.Batch(c, 3, 1, seed: 2);
        var loss = new CrossVideoMaeLoss(LossConfig.ReconstructionOnly with { DecoderMse = true }, c);
        LossTerms full = loss.Compute(model.forward(batch, new Generator(3)), batch);
        LossTerms half;
        CrossVideoMaeOutput o;
        using (torch.autocast(DeviceType.CPU))
        {
            o = model.forward(batch, new Generator(3));
            half = loss.Compute(o, batch);
        }
        Assert.Equal(ScalarType.BFloat16, o.View1.Prediction!.dtype);     // the networks ran in bf16
        Assert.Equal(ScalarType.Float32, half.Total.dtype);
        Assert.Equal(ScalarType.Float32, half.DecoderMse!.dtype);
        Assert.InRange(half.Reconstruction!.item(), full.Reconstruction!.item() * 0.97, full.Reconstruction.item() * 1.03);
    }
}
