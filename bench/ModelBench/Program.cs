using System.Diagnostics;
using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Diagnostics;
using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.Model.Optimization;
using CrossVideoMAE.Torch;

// Usage: ModelBench [--config small] [--frames 8] [--size 112] [--batch 4] [--steps 3] [--warmup 1]
//                   [--device cpu|cuda] [--bf16] [--threads N]
// Prints model construction time, per-step forward / backward / optimiser times, and peak RSS.
var opts = Options.Parse(args);
if (opts.Threads > 0) torch.set_num_threads(opts.Threads);
Device device = opts.Device == "cuda" ? Device.CUDA(0) : Device.CPU;

ModelConfig config = ModelConfigs.Get(opts.Config).WithInput(opts.Frames, opts.Size);
Console.WriteLine($"config {config.Name}: video {opts.Frames}x{opts.Size}x{opts.Size} ({config.VideoGrid.Length} tokens, {config.VideoMaskRatio} masked), " +
                  $"frames {opts.Size}x{opts.Size}, batch {opts.Batch}, device {device}{(opts.Bf16 ? " bf16 autocast" : "")}, threads {torch.get_num_threads()}");

var sw = Stopwatch.StartNew();
using var model = new CrossVideoMAE.Model.CrossVideoMAE(config, seed: 0);
model.to(device);
Console.WriteLine($"construct       {sw.Elapsed.TotalSeconds,8:F2} s  ({model.parameter_count() / 1e6:F1} M parameters)");

var loss = new CrossVideoMaeLoss(LossConfig.Default, config);
using var optimizer = OptimizerFactory.Pretraining(model, lr: 1.5e-4);
using var maskGen = new Generator(1);

CrossVideoMaeBatch batch = SyntheticBatch.Make(config, opts.Batch, 1, seed: 2, device);

var fwd = new List<double>(); var bwd = new List<double>(); var opt = new List<double>();
for (int step = 0; step < opts.Warmup + opts.Steps; step++)
{
    using var scope = torch.NewDisposeScope();
    optimizer.zero_grad();
    var t0 = Stopwatch.StartNew();
    LossTerms terms;
    using (opts.Bf16 ? torch.autocast(device.Type) : null)
    {
        CrossVideoMaeOutput o = model.forward(batch, maskGen, loss.RequiredParts);
        terms = loss.Compute(o, batch);
    }
    double total = terms.Total.item();    // syncs the device
    double tf = t0.Elapsed.TotalMilliseconds;
    terms.Total.backward();
    if (device.Type == DeviceType.CUDA) torch.cuda.synchronize();
    double tb = t0.Elapsed.TotalMilliseconds - tf;
    optimizer.step();
    if (device.Type == DeviceType.CUDA) torch.cuda.synchronize();
    double to = t0.Elapsed.TotalMilliseconds - tf - tb;
    bool measured = step >= opts.Warmup;
    Console.WriteLine($"step {step}{(measured ? "" : " (warmup)"),-9} forward {tf,8:F0} ms  backward {tb,8:F0} ms  adamw {to,6:F0} ms  total {tf + tb + to,8:F0} ms  loss {total:F4}");
    if (measured) { fwd.Add(tf); bwd.Add(tb); opt.Add(to); }
}

double Median(List<double> xs) { var s = xs.OrderBy(x => x).ToList(); return s.Count == 0 ? double.NaN : s[s.Count / 2]; }
Console.WriteLine($"median step     forward {Median(fwd):F0} ms, backward {Median(bwd):F0} ms, adamw {Median(opt):F0} ms, total {Median(fwd) + Median(bwd) + Median(opt):F0} ms");
Console.WriteLine($"peak RSS        {PeakRssMiB():F0} MiB");
if (device.Type == DeviceType.CUDA) Console.WriteLine($"peak CUDA       {torch.cuda.memory().peak / 1048576.0:F0} MiB");
return 0;

static double PeakRssMiB()
{
    foreach (string line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    return double.NaN;
}

internal sealed record Options(string Config, int Frames, int Size, int Batch, int Steps, int Warmup, string Device, bool Bf16, int Threads)
{
    public static Options Parse(string[] args)
    {
        var o = new Options("small", 8, 112, 4, 3, 1, "cpu", false, 0);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--config" => o with { Config = Next() },
                "--frames" => o with { Frames = int.Parse(Next()) },
                "--size" => o with { Size = int.Parse(Next()) },
                "--batch" => o with { Batch = int.Parse(Next()) },
                "--steps" => o with { Steps = int.Parse(Next()) },
                "--warmup" => o with { Warmup = int.Parse(Next()) },
                "--device" => o with { Device = Next() },
                "--bf16" => o with { Bf16 = true },
                "--threads" => o with { Threads = int.Parse(Next()) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}
