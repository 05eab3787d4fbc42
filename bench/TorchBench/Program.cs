using System.Diagnostics;
using System.Globalization;
using CrossVideoMAE.Bench;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;

// TorchBench: the same training step timed through our binding and in PyTorch (same libtorch,
// same thread count), alternating rounds between the two so that machine load hits both alike.
//   dotnet CrossVideoMAE.TorchBench.dll [--workload vit|mlp] [--threads N] [--warmup N]
//       [--rounds N] [--steps N] [--python /usr/bin/python3]
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

    var cs = new List<double>();
    var pyt = new List<double>();
    for (int round = 0; round < opts.Rounds; round++)
    {
        // Alternate which side goes first.
        if (round % 2 == 1) pyt.AddRange(py.Run(opts.Steps).times);
        for (int i = 0; i < opts.Steps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            work.Step();
            cs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        if (round % 2 == 0) pyt.AddRange(py.Run(opts.Steps).times);
        Console.WriteLine($"round {round + 1}/{opts.Rounds}: C# median {Median(cs.TakeLast(opts.Steps)):F2} ms, PyTorch median {Median(pyt.TakeLast(opts.Steps)):F2} ms");
    }
    double csMed = Median(cs), pyMed = Median(pyt);
    Console.WriteLine($"workload={opts.Workload} threads={opts.Threads} steps={cs.Count} csharp_median_ms={csMed:F2} pytorch_median_ms={pyMed:F2} ratio={csMed / pyMed:F3}");
}
finally
{
    Directory.Delete(tmp, recursive: true);
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
        var o = new Options("vit", 2, 3, 6, 5, "/usr/bin/python3");
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
