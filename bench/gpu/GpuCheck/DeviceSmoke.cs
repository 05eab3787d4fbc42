using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Diagnostics;
using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.Model.Optimization;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.GpuCheck;

/// <summary>
/// The device checks of bench/gpu/check.sh, each against the CPU as the independent reference:
/// tensors moved to the device and back, a float32 matmul there, a bf16 autocast matmul there, and
/// one tiny CrossVideoMAE training step (forward, backward, AdamW) whose loss terms match the
/// same step on the CPU (to 1e-2 relative). On the CPU (the script's --cpu mode) the same code
/// runs with the CPU as both sides, so it keeps compiling and running in CI. Prints one
/// "smoke: ..." line per check and throws <see cref="SmokeFailure"/> at the first one that fails.
/// </summary>
public static class DeviceSmoke
{
    public sealed class SmokeFailure(string message) : Exception(message);

    public static void Run(Device device, TextWriter o)
    {
        if (device.Type == DeviceType.CUDA)
        {
            if (!torch.cuda.built_with_cuda()) throw new SmokeFailure("the shim was built against a CPU libtorch (cvmae doctor: CUDA build no)");
            if (!torch.cuda.is_available()) throw new SmokeFailure("no CUDA device is visible to libtorch");
            o.WriteLine($"smoke: {torch.cuda.device_count()} CUDA device(s), {device} is {torch.cuda.get_device_name(Math.Max(device.Index, 0))}");
        }
        RoundTrip(device, o);
        Matmul(device, o);
        AutocastMatmul(device, o);
        TrainingStep(device, o);
        if (device.Type == DeviceType.CUDA)
        {
            var (allocated, peak) = torch.cuda.memory(Math.Max(device.Index, 0));
            o.WriteLine($"smoke: CUDA caching allocator: {allocated / 1048576.0:F1} MiB held, peak {peak / 1048576.0:F1} MiB");
        }
    }

    // Values survive CPU -> device -> CPU exactly.
    private static void RoundTrip(Device device, TextWriter o)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(1);
        Tensor a = torch.randn([64, 33], g);                               // [64, 33]
        Tensor back = a.to(device).cpu();
        double diff = (back - a).abs().max().item();
        Expect(diff == 0, $"round trip to {device} changed values (max |diff| {diff})");
        o.WriteLine($"smoke: round trip cpu -> {device} -> cpu exact ([64, 33] float32)");
    }

    // A float32 matmul on the device agrees with the CPU's (TF32 would show as ~1e-3).
    private static void Matmul(Device device, TextWriter o)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(2);
        Tensor a = torch.randn([256, 384], g), b = torch.randn([384, 192], g); // [256, 384] x [384, 192]
        Tensor want = a.matmul(b);                                               // [256, 192]
        Tensor got = a.to(device).matmul(b.to(device)).cpu();
        double rel = (got - want).abs().max().item() / want.abs().max().item();
        Expect(rel < 1e-4, $"float32 matmul on {device} differs from the CPU's by {rel:E2} (relative)");
        o.WriteLine($"smoke: float32 matmul on {device} matches the CPU (max rel diff {rel:E2})");
    }

    // Under bf16 autocast the matmul runs in bf16 (its output dtype) and stays within bf16 rounding of float32.
    private static void AutocastMatmul(Device device, TextWriter o)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(3);
        Tensor a = torch.randn([256, 384], g), b = torch.randn([384, 192], g);
        Tensor want = a.matmul(b);
        Tensor got;
        using (torch.autocast(device.Type)) got = a.to(device).matmul(b.to(device));
        Expect(got.dtype == ScalarType.BFloat16, $"autocast matmul on {device} ran in {got.dtype}, not BFloat16");
        double rel = (got.cpu().to(ScalarType.Float32) - want).abs().max().item() / want.abs().max().item();
        // bf16 keeps 8 significant bits: inputs and output each rounded by up to 2^-9 relative.
        Expect(rel < 2e-2, $"bf16 autocast matmul on {device} is {rel:E2} (relative) from float32");
        o.WriteLine($"smoke: bf16 autocast matmul on {device} (max rel diff to float32 {rel:E2})");
    }

    // One training step of the tiny model on the device; the loss terms match the CPU's, and AdamW moves the weights.
    private static void TrainingStep(Device device, TextWriter o)
    {
        using var scope = torch.NewDisposeScope();
        ModelConfig c = ModelConfigs.Tiny.WithInput(numFrames: 4, videoSize: 32) with { VideoMaskRatio = 0.5, ImageMaskRatio = 0.5 };
        Dictionary<string, double> cpu = Step(c, Device.CPU, out _);
        Dictionary<string, double> dev = Step(c, device, out double moved);
        foreach (var (name, want) in cpu)
        {
            double got = dev[name];
            Expect(double.IsFinite(got), $"tiny training step on {device}: loss term {name} is {got}");
            double rel = Math.Abs(got - want) / Math.Max(Math.Abs(want), 1e-6);
            // 1e-2: cuDNN may run the patch-embedding convolutions in TF32 (libtorch's default), ~1e-3 per output.
            Expect(rel < 1e-2, $"tiny training step on {device}: loss term {name} {got:G6} differs from the CPU's {want:G6} ({rel:E2} relative)");
        }
        Expect(moved > 0, $"tiny training step on {device}: AdamW left the weights unchanged");
        o.WriteLine($"smoke: tiny CrossVideoMAE step on {device} (forward, backward, AdamW): loss {dev["total"]:F6}, CPU {cpu["total"]:F6}");
    }

    // Forward and backward on a synthetic batch of 3 clips, then one AdamW step; returns the loss terms
    // and (out) the largest weight change.
    private static Dictionary<string, double> Step(ModelConfig c, Device device, out double moved)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new CrossVideoMAE.Model.CrossVideoMAE(c, seed: 1);
        model.to(device);
        CrossVideoMaeBatch batch = SyntheticBatch.Make(c, 3, 2, seed: 2, device);
        var loss = new CrossVideoMaeLoss(LossConfig.Default, c);
        using var masks = new Generator(3);
        LossTerms terms = loss.Compute(model.forward(batch, masks), batch);
        terms.Total.backward();
        Parameter watched = model.named_parameters().First(x => x.name == "video_encoder.patch_embed.proj.weight").parameter;
        Tensor before = watched.cpu().clone();                                          // [D, C, 2, 16, 16]
        using var optimizer = OptimizerFactory.Pretraining(model, lr: 1e-3);
        optimizer.step();
        moved = (watched.cpu() - before).abs().max().item();
        return terms.ToScalars();
    }

    private static void Expect(bool ok, string failure)
    {
        if (!ok) throw new SmokeFailure(failure);
    }
}
