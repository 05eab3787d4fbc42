using System.Diagnostics;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;

// Throughput of the train-feed view augmentation (u1, u2, f) on uint8 clips at short side 256.
// Reports clips per CPU-second (clips/s per core: libtorch runs on --threads intra-op threads,
// 1 by default) and clips per wall-second, plus a per-stage breakdown of one batch.
//   augment-bench [--batch 8] [--frames 16] [--height 256] [--width 341] [--iters 6] [--rounds 3] [--threads 1]
//                 [--device cpu|cuda] [--no-strong] [--no-reuse] [--no-stages] [--per-sample] [--strong-only]
// Output tensors are reused across batches through a ViewBufferPool, as the train feed does;
// --no-reuse allocates them fresh for every batch; --no-stages skips the per-stage breakdown.
// --per-sample draws each clip's parameters from its own AugmentRandom.ForSample, as the train feed
// does since the data-parallel change (the default draws the whole batch from one ForBatch source).
// --strong-only times ApplyStrongView (u2 and the soft targets alone, as the labelled feed computes
// for fine-tuning) instead of Apply.
var opts = Options.Parse(args);
torch.set_num_threads(opts.Threads);
Device device = Device.Parse(opts.Device);
var config = new AugmentConfig { NumClasses = 400 };
if (opts.NoStrong) config = config with { RandAugment = false, RandomErasing = false, Mixup = false, CutMix = false };
var augmenter = new CrossVideoViewAugmenter(config);
using var buffers = new ViewBufferPool(opts.NoReuse ? 0 : 3);

using Tensor clips = RandomClips(opts.Batch, opts.Frames, opts.Height, opts.Width, device);   // [B, T, H, W, 3] uint8
using Tensor frames = clips.narrow(1, opts.Frames / 2, 1).contiguous();                      // [B, 1, H, W, 3]
using Tensor labels = torch.randint(0, 400, [opts.Batch], new Generator(3)).to(device);

Console.WriteLine($"device {device}, libtorch {torch.__version__}, {torch.get_num_threads()} intra-op thread(s), " +
                  $"batch {opts.Batch} x {opts.Frames}x{opts.Height}x{opts.Width} uint8 -> u1, u2 [B, 3, {opts.Frames}, 224, 224] + f, " +
                  $"strong augmentation {(opts.NoStrong ? "off" : "on")}, outputs {(opts.NoReuse ? "fresh per batch" : "reused")}, " +
                  $"draws {(opts.PerSample ? "per sample" : "per batch")}{(opts.StrongOnly ? ", u2 and targets only (ApplyStrongView)" : "")}");

for (int i = 0; i < 2; i++) RunBatch(i); // warm-up: allocator, kernels

// Rounds of --iters batches each; the best round is the least disturbed by other work on the machine.
double bestPerCore = 0, bestWall = 0, allCpu = 0, allWall = 0;
for (int round = 0; round < opts.Rounds; round++)
{
    var proc = Process.GetCurrentProcess();
    proc.Refresh();
    TimeSpan cpu0 = proc.TotalProcessorTime;
    double thread0 = ThreadCpu.Seconds();
    var wall = Stopwatch.StartNew();
    for (int i = 0; i < opts.Iters; i++) RunBatch(100 + round * opts.Iters + i);
    Sync(device);
    wall.Stop();
    double threadSeconds = ThreadCpu.Seconds() - thread0;
    proc.Refresh();
    double cpuSeconds = (proc.TotalProcessorTime - cpu0).TotalSeconds;
    int clipsDone = opts.Batch * opts.Iters;
    double perCore = clipsDone / cpuSeconds, perWall = clipsDone / wall.Elapsed.TotalSeconds;
    allCpu += cpuSeconds;
    allWall += wall.Elapsed.TotalSeconds;
    bestPerCore = Math.Max(bestPerCore, perCore);
    bestWall = Math.Max(bestWall, perWall);
    Console.WriteLine($"round {round + 1}: {clipsDone} clips, {wall.Elapsed.TotalSeconds:F2} s wall, {cpuSeconds:F2} s process CPU " +
                      $"({threadSeconds:F2} s on the augmenting thread): {perWall:F1} clips/s wall, {perCore:F1} clips/s per core");
}
Console.WriteLine($"best round: {bestWall:F1} clips/s wall, {bestPerCore:F1} clips/s per core (process CPU time)");
int allClips = opts.Batch * opts.Iters * opts.Rounds;
Console.WriteLine($"all rounds: {allClips / allWall:F1} clips/s wall, {allClips / allCpu:F1} clips/s per core (rounds draw different batches)");

if (!opts.NoStages) Stages(opts, config, clips, frames, device);

void RunBatch(long index)
{
    var rng = AugmentRandom.ForBatch(1, 0, index);
    // Per sample: clip i of batch `index` is sample index x B + i of the epoch's order, as in TrainFeed.
    AugmentRandom[]? samples = opts.PerSample
        ? Enumerable.Range(0, opts.Batch).Select(i => AugmentRandom.ForSample(1, 0, index * opts.Batch + i)).ToArray()
        : null;
    if (opts.StrongOnly)
    {
        using StrongView u2 = augmenter.ApplyStrongView(clips, labels, rng, samples, (int)frames.size(1), buffers);
        return;
    }
    using AugmentedViews v = augmenter.Apply(clips, frames, labels, rng, samples, buffers);
}

static void Sync(Device device)
{
    if (device.Type == DeviceType.CUDA) torch.cuda.synchronize(device.Index < 0 ? 0 : device.Index);
}

// One batch, stage by stage, through the same public pieces the composer uses (CPU time of this thread).
static void Stages(Options opts, AugmentConfig config, Tensor clips, Tensor frames, Device device)
{
    var rng = new AugmentRandom(5);
    var rrc = new RandomResizedCrop(224);
    var bicubic = new RandomResizedCrop(224, interpolation: InterpolationMode.Bicubic, antialias: true);
    var ra = new RandAugment(9, 2);
    var erasing = new RandomErasing(1.0);
    int b = opts.Batch;
    CropBox[] boxes = rrc.Sample(rng, b, opts.Height, opts.Width);
    var times = new List<(string, double)>();
    void Time(string name, int repeats, Action a)
    {
        a();
        Sync(device);
        double t0 = ThreadCpu.Seconds(), w0 = Stopwatch.GetTimestamp();
        for (int r = 0; r < repeats; r++) a();
        Sync(device);
        double cpu = (ThreadCpu.Seconds() - t0) / repeats * 1000;
        times.Add((name, device.Type == DeviceType.CPU ? cpu : Stopwatch.GetElapsedTime((long)w0).TotalMilliseconds / repeats));
    }
    using var scope = torch.NewDisposeScope();
    Tensor view = torch.empty([b, 3, opts.Frames, 224, 224], ScalarType.Float32, device);
    Time("crop+resize+normalise into one view (u1)", 2, () =>
    {
        for (int i = 0; i < b; i++)
        {
            using var s = torch.NewDisposeScope();
            rrc.ApplyInto(clips.select(0, i), boxes[i], view.select(0, i), flip: false, Normalize.ImageNet);
        }
    });
    Time("  same, every clip flipped", 2, () =>
    {
        for (int i = 0; i < b; i++)
        {
            using var s = torch.NewDisposeScope();
            rrc.ApplyInto(clips.select(0, i), boxes[i], view.select(0, i), flip: true, Normalize.ImageNet);
        }
    });
    // u2 before RandAugment: uint8 levels on the CPU (the feed's path there), float 0-255 elsewhere.
    bool bytes = device.Type == DeviceType.CPU;
    Tensor levels = torch.empty([b, 3, opts.Frames, 224, 224], bytes ? ScalarType.Byte : ScalarType.Float32, device);
    Time(bytes ? "crop+resize to uint8 levels (u2 before RandAugment)" : "crop+resize to 0-255 floats (u2 before RandAugment)", 2, () =>
    {
        for (int i = 0; i < b; i++)
        {
            using var s = torch.NewDisposeScope();
            rrc.ApplyInto(clips.select(0, i), boxes[i], levels.select(0, i), flip: false, normalize: null);
        }
    });
    Tensor v2 = torch.empty([b, 3, opts.Frames, 224, 224], ScalarType.Float32, device);
    Time("normalise the levels into one view (u2)", 2, () =>
    {
        for (int i = 0; i < b; i++) Normalize.ImageNet.WriteInto(levels.select(0, i), v2.select(0, i), channelDim: 0);
    });
    RandAugmentStep[][] plan = ra.Sample(rng, b, 224, 224);
    // On the CPU the feed defers the pointwise steps into the normalising write (ApplyStepsDeferred).
    Time(bytes ? "RandAugment m9 n2 (one draw), all clips, deferred" : "RandAugment m9 n2 (one draw), all clips", 2, () =>
    {
        for (int i = 0; i < b; i++)
        {
            using var s = torch.NewDisposeScope();
            Tensor x = levels.narrow(0, i, 1);
            if (bytes) RandAugment.ApplyStepsDeferred(x, plan[i]);
            else foreach (RandAugmentStep st in plan[i]) x = RandAugment.ApplyStep(x, st);
        }
    });
    CropBox?[] erase = erasing.Sample(rng, b, 224, 224);
    Time("random erasing (p=1 here), all clips", 2, () => erasing.ApplyInPlace(v2, erase, rng));
    Time("mixup, batch", 2, () => MixupCutmix.ApplyInPlace(v2, new MixParams(0.7, false, 0, 0, 0, 0)));
    Time("cutmix, batch", 2, () => MixupCutmix.ApplyInPlace(v2, new MixParams(0.7, true, 20, 140, 30, 150)));
    Time("frames: bicubic crop (n=1), all clips", 2, () =>
    {
        for (int i = 0; i < b; i++)
        {
            using var s = torch.NewDisposeScope();
            bicubic.Apply(frames.select(0, i), boxes[i]);
        }
    });
    Tensor one = levels.narrow(0, 0, 1);
    foreach (RandAugmentOp op in RandAugment.Ops)
    {
        double m = ra.MagnitudeOf(op, 224, 224);
        Time($"  one clip: {op}", 3, () =>
        {
            using var s = torch.NewDisposeScope();
            RandAugment.ApplyStep(one, new RandAugmentStep(op, op is RandAugmentOp.TranslateX or RandAugmentOp.TranslateY ? Math.Truncate(m) : m));
        });
    }
    Console.WriteLine($"stages for one batch of {b} clips (ms{(device.Type == DeviceType.CPU ? " of CPU" : "")}; RandAugment on {levels.dtype}):");
    foreach (var (name, ms) in times) Console.WriteLine($"  {name,-52} {ms,9:F1}");
}

static Tensor RandomClips(int b, int t, int h, int w, Device device)
{
    // Smooth random content (noise upsampled) so histograms and crops look like video, not static.
    using var scope = torch.NewDisposeScope();
    using var g = new Generator(1);
    Tensor small = torch.rand([b * t, 3, h / 8, w / 8], g) * 255;
    Tensor big = torch.nn.functional.interpolate(small, [h, w], InterpolationMode.Bilinear);
    Tensor u8 = big.round().clamp(0, 255).to(ScalarType.Byte).reshape(b, t, 3, h, w).permute(0, 1, 3, 4, 2).contiguous();
    return scope.MoveToOuter(u8.to(device));
}

internal sealed record Options(int Batch, int Frames, int Height, int Width, int Iters, int Rounds, int Threads, string Device, bool NoStrong, bool NoReuse,
    bool NoStages, bool PerSample, bool StrongOnly)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(8, 16, 256, 341, 6, 3, 1, "cpu", false, false, false, false, false);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            o = a switch
            {
                "--batch" => o with { Batch = int.Parse(Next()) },
                "--frames" => o with { Frames = int.Parse(Next()) },
                "--height" => o with { Height = int.Parse(Next()) },
                "--width" => o with { Width = int.Parse(Next()) },
                "--iters" => o with { Iters = int.Parse(Next()) },
                "--rounds" => o with { Rounds = int.Parse(Next()) },
                "--threads" => o with { Threads = int.Parse(Next()) },
                "--device" => o with { Device = Next() },
                "--no-strong" => o with { NoStrong = true },
                "--no-reuse" => o with { NoReuse = true },
                "--no-stages" => o with { NoStages = true },
                "--per-sample" => o with { PerSample = true },
                "--strong-only" => o with { StrongOnly = true },
                _ => throw new ArgumentException($"unknown option {a}"),
            };
        }
        return o;
    }
}

// CPU time of the calling thread (clock_gettime(CLOCK_THREAD_CPUTIME_ID)): with one intra-op
// thread libtorch computes on the caller, so this is the augmentation's own CPU time, whatever
// else the machine runs.
internal static class ThreadCpu
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec ts);

    private const int ClockThreadCpuTime = 3;

    public static double Seconds()
    {
        if (ClockGetTime(ClockThreadCpuTime, out TimeSpec ts) != 0) throw new InvalidOperationException("clock_gettime failed");
        return ts.Seconds + ts.Nanoseconds * 1e-9;
    }
}
