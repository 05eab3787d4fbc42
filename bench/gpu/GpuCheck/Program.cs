using System.Globalization;
using CrossVideoMAE.GpuCheck;
using CrossVideoMAE.Model;
using CrossVideoMAE.Torch;

// gpucheck: the parts of bench/gpu/check.sh that run inside .NET.
//   gpucheck smoke --device cuda|cuda:N|cpu
//   gpucheck summary --metrics FILE --label TEXT --model NAME --frames T --video-size S --frame-size F
//                    --video-mask R --image-mask R [--video-masking random|tube|frame] [--freeze-image]
//                    --sampled-frames N [--skip K] [--peak-tflops P]
// Exit codes: 0 passed, 1 a check failed, 2 bad arguments or input.
const string Usage = "usage: gpucheck smoke --device D | gpucheck summary --metrics FILE --label L --model NAME --frames T " +
                     "--video-size S --frame-size F --video-mask R --image-mask R --sampled-frames N [--video-masking K] [--freeze-image] [--skip K] [--peak-tflops P]";
try
{
    if (args.Length == 0) throw new ArgumentException(Usage);
    var options = ParseOptions(args[1..]);
    switch (args[0])
    {
        case "smoke":
            DeviceSmoke.Run(Device.Parse(Required(options, "device")), Console.Out);
            Console.WriteLine("smoke: passed");
            return 0;
        case "summary":
            ModelConfig config = ModelConfigs.Get(Required(options, "model"))
                .WithInput(Int(options, "frames"), Int(options, "video-size"), Int(options, "frame-size")) with
            {
                VideoMaskRatio = Double(options, "video-mask"),
                ImageMaskRatio = Double(options, "image-mask"),
                VideoMasking = Masking(options.GetValueOrDefault("video-masking", "random")),
                FreezeImageEncoder = options.ContainsKey("freeze-image"),
            };
            TrainingFlops.Breakdown flops = TrainingFlops.PerClip(config, Int(options, "sampled-frames"));
            RunSummary run = RunSummary.Read(Required(options, "metrics"), options.ContainsKey("skip") ? Int(options, "skip") : 0);
            double? peak = options.ContainsKey("peak-tflops") ? Double(options, "peak-tflops") : null;
            foreach (string line in run.Lines(Required(options, "label"), flops.Total, peak)) Console.WriteLine(line);
            return 0;
        default:
            throw new ArgumentException($"unknown command '{args[0]}'; {Usage}");
    }
}
catch (DeviceSmoke.SmokeFailure e)
{
    Console.Error.WriteLine($"smoke: FAILED: {e.Message}");
    return 1;
}
catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or FormatException)
{
    Console.Error.WriteLine($"gpucheck: error: {e.Message}");
    return 2;
}

// --name value pairs; a flag without a value (next token starts with --, or none) maps to "".
static Dictionary<string, string> ParseOptions(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (int i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'");
        string name = args[i][2..];
        bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
        result[name] = hasValue ? args[++i] : "";
    }
    return result;
}

static string Required(Dictionary<string, string> o, string name) =>
    o.TryGetValue(name, out string? v) && v.Length > 0 ? v : throw new ArgumentException($"--{name} is required");

static int Int(Dictionary<string, string> o, string name) =>
    int.TryParse(Required(o, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"--{name} must be an integer, got '{o[name]}'");

static double Double(Dictionary<string, string> o, string name) =>
    double.TryParse(Required(o, name), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new ArgumentException($"--{name} must be a number, got '{o[name]}'");

static MaskingKind Masking(string text) => text.ToLowerInvariant() switch
{
    "random" => MaskingKind.Random,
    "tube" => MaskingKind.Tube,
    "frame" => MaskingKind.Frame,
    _ => throw new ArgumentException($"--video-masking must be random, tube or frame, got '{text}'"),
};
