using System.Diagnostics;
using System.Globalization;
using CrossVideoMAE.Bench;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;

// TorchBench: the same training step timed through our binding and in PyTorch (same libtorch,
// same thread count), alternating between the two (by default every step: 40 rounds of one step
// each side) so that changing machine load hits both alike.
//   dotnet CrossVideoMAE.TorchBench.dll [--workload vit|mlp] [--threads N] [--warmup N]
//       [--rounds N] [--steps N (per side and round)] [--python /usr/bin/python3]
var opts = Options.Parse(args);
torch.set_num_threads(opts.Threads);
string here = AppContext.BaseDirectory;
string tmp = Path.Combine(Path.GetTempPath(), $"torchbench-{Environment.ProcessId}");
Directory.CreateDirectory(tmp);
try
{
    using var g = new Generator(2024);
    using Workload work = opts.Workload == "vit" ? Workload.Vit(g) : Workload.SmallMlp(g);
    string init = Path.Combine(tmp, "init.safetensors");
    SafeTensors.Save(init, work.Tensors());
    using var py = new PythonPeer(opts.Python, Path.Combine(here, "torch_bench.py"), opts.Workload, opts.Threads, init, Path.Combine(here, "python"));

    // The first step from identical weights must give the same loss on both sides.
    double csFirst = work.Step();
    double pyFirst = py.Run(1).loss;
    double rel = Math.Abs(csFirst - pyFirst) / Math.Abs(pyFirst);
    Console.WriteLine($"# {py.Banner}; binding: libtorch {torch.__version__} threads {torch.get_num_threads()}");
    Console.WriteLine($"# first-step loss: C# {csFirst:R}, PyTorch {pyFirst:R} (relative difference {rel:E1})");
    if (rel > 1e-4) throw new InvalidOperationException("the two sides do not compute the same step");

    for (int i = 0; i < opts.Warmup; i++) work.Step();
    py.Run(opts.Warmup);

    var cs = new List<StepCost>();
    var pyt = new List<StepCost>();
    for (int round = 0; round < opts.Rounds; round++)
    {
        // Alternate which side goes first.
        if (round % 2 == 1) pyt.AddRange(py.Run(opts.Steps).steps);
        for (int i = 0; i < opts.Steps; i++) cs.Add(StepCost.Measure(() => work.Step()));
        if (round % 2 == 0) pyt.AddRange(py.Run(opts.Steps).steps);
        if ((round + 1) % Math.Max(1, opts.Rounds / 10) == 0)
            Console.WriteLine($"round {round + 1}/{opts.Rounds}: C# {Summary(cs.TakeLast(opts.Steps))}; PyTorch {Summary(pyt.TakeLast(opts.Steps))}");
    }
    double csWall = Median(cs.Select(c => c.WallMs)), pyWall = Median(pyt.Select(c => c.WallMs));
    double csCpu = Median(cs.Select(c => c.CpuMs)), pyCpu = Median(pyt.Select(c => c.CpuMs));
    Console.WriteLine($"C#:      {Summary(cs)}");
    Console.WriteLine($"PyTorch: {Summary(pyt)}");
    Console.WriteLine($"workload={opts.Workload} threads={opts.Threads} steps={cs.Count} csharp_median_ms={csWall:F2} pytorch_median_ms={pyWall:F2} " +
                      $"ratio={csWall / pyWall:F3} cpu_ratio={csCpu / pyCpu:F3}");
}
finally
{
    Directory.Delete(tmp, recursive: true);
}

static string Summary(IEnumerable<StepCost> steps)
{
    var s = steps.ToList();
    return $"median {Median(s.Select(c => c.WallMs)):F2} ms wall, {Median(s.Select(c => c.CpuMs)):F0} ms CPU, {Median(s.Select(c => (double)c.MinorFaults)):F0} minor faults";
}

static double Median(IEnumerable<double> xs)
{
    double[] s = xs.OrderBy(x => x).ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

internal sealed record Options(string Workload, int Threads, int Warmup, int Rounds, int Steps, string Python)
{
    public static Options Parse(string[] args)
    {
        var o = new Options("vit", 2, 3, 40, 1, "/usr/bin/python3");
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i++] switch
            {
                "--workload" when value is "vit" or "mlp" => o with { Workload = value },
                "--threads" => o with { Threads = Positive(value) },
                "--warmup" => o with { Warmup = Positive(value) },
                "--rounds" => o with { Rounds = Positive(value) },
                "--steps" => o with { Steps = Positive(value) },
                "--python" => o with { Python = value },
                _ => throw new ArgumentException($"unknown option {args[i - 1]} {value}"),
            };
        }
        return o;
    }

    private static int Positive(string s) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : throw new ArgumentException($"'{s}' is not a positive integer");
}
