using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using CrossVideoMAE.Pipeline.Downstream;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// <c>cvmae demo</c>: the whole product on a small generated dataset, through the same commands
/// a user types: make-sample -> prepare (once, every split) -> pretrain on the train split selected from the index (CrossVideoMAE, and the lambda_c = 0 ablation)
/// -> linear probes (pre-trained, ablation, random weights; every train label, and 8 labelled videos per class)
/// -> retrieval -> visualize (the report shows every probe and retrieval result and each encoder's embedding map). Every probe is the mean of 5 seeds (a random encoder is drawn anew for each).
/// Prints where it is and the headline numbers (also written to summary.json); everything lands under --out.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for everything the demo writes", DefaultValueFactory = _ => "out/demo" };
        var steps = new Option<long?>("--pretrain-steps") { Description = "Stop each pre-training after this many optimiser steps (default: the configs' 8 epochs)" };
        var perClass = new Option<int>("--videos-per-class") { Description = "Sample videos per class (a quarter of them held out)", DefaultValueFactory = _ => 60 };
        var cmd = new Command("demo", "Run the whole pipeline on a generated dataset on CPU: prepare shards, pre-train a tiny model, probe it, write a report.")
        {
            output, steps, perClass,
        };
        cmd.SetAction(async (p, ct) => await RunAsync(p.GetValue(output)!, p.GetValue(steps), p.GetValue(perClass), ct));
        return cmd;
    }

    private static readonly Stopwatch Clock = new();

    /// <summary>Labelled videos per class of the few-label probe.</summary>
    public const int FewLabels = 8;

    /// <summary>Seeds each probe is averaged over.</summary>
    public const int ProbeRepeats = 5;

    // The three encoders the demo compares: folder suffix, name in the output, probe arguments.
    private static (string Key, string Name, string[] Args)[] Encoders(Func<string, string> d) =>
    [
        ("", "CrossVideoMAE", ["--weights", d("pretrain/model.safetensors")]),
        ("-recon", "reconstruction only", ["--weights", d("pretrain-recon/model.safetensors")]),
        ("-random", "random weights", ["--weights", d("pretrain/model.safetensors"), "--random-init"]),
    ];

    public static async Task<int> RunAsync(string root, long? pretrainSteps, int videosPerClass, CancellationToken ct)
    {
        Clock.Restart();
        string configs = FindConfigs();
        string D(string name) => Path.Combine(root, name);
        string manifest = D("shards/index.json");
        string[] maxSteps = pretrainSteps is { } s ? ["--max-steps", s.ToString()] : [];

        (string title, string[] args)[] plan =
        [
            ("generating the sample dataset", ["make-sample", "--out", D("sample"), "--quick", "--one-scene", "--classes", "5", "--videos-per-class", videosPerClass.ToString()]),
            ("preparing shards", ["prepare", "--format", "ucf101", "--annotations", D("sample/annotations/ucf101"), "--videos", D("sample/videos"),
                "--out", D("shards"), "--name", "sample", "--clip-length", "8", "--stride", "2", "--clips-per-video", "2", "--short-side", "64", "--quiet"]),
            // Pre-training selects the train split from the index, so the held-out videos stay unseen until the probe.
            ("pre-training CrossVideoMAE (tiny, train split)", ["pretrain", "--manifest", manifest, "--split", "train", "--config", Path.Combine(configs, "demo-tiny.yaml"), "--out", D("pretrain"), "--quiet", .. maxSteps]),
            ("pre-training the reconstruction-only ablation (lambda_c = 0)", ["pretrain", "--manifest", manifest, "--split", "train", "--config", Path.Combine(configs, "demo-tiny-recon.yaml"), "--out", D("pretrain-recon"), "--quiet", .. maxSteps]),
            .. Encoders(D).Select(e => ($"linear probe, every train label: {e.Name}",
                (string[])["linprobe", "--manifest", manifest, .. e.Args, "--repeats", ProbeRepeats.ToString(), "--out", D("linprobe" + e.Key)])),
            .. Encoders(D).Select(e => ($"linear probe, {FewLabels} labelled videos per class: {e.Name}",
                (string[])["linprobe", "--manifest", manifest, .. e.Args, "--repeats", ProbeRepeats.ToString(), "--labels-per-class", FewLabels.ToString(), "--out", D("linprobe-few" + e.Key)])),
            .. Encoders(D).Select(e => ($"retrieval: {e.Name}", (string[])["retrieval", "--manifest", manifest, .. e.Args, "--out", D("retrieval" + e.Key)])),
            ("report", ["visualize", "--manifest", manifest, "--weights", D("pretrain/model.safetensors"), "--metrics", D("pretrain/metrics.jsonl"),
                "--out", D("report"), "--mask-ratio", "0.75", .. ReportResults(D)]),
        ];

        for (int i = 0; i < plan.Length; i++)
        {
            var (title, args) = plan[i];
            CliLog.Info($"[demo {i + 1}/{plan.Length}] {title}  ({Clock.Elapsed:mm\\:ss})");
            int rc = await Program.RunAsync(args, configureLog: false, ct);
            if (rc != 0)
            {
                CliLog.Error($"demo step '{title}' failed (exit {rc}); command: cvmae {string.Join(' ', args)}");
                return rc;
            }
        }

        var encoders = Encoders(D);
        var rows = encoders.Select(e => new DemoSummaryRow(e.Name,
            ReadProbe(D($"linprobe{e.Key}/linprobe.json")), ReadProbe(D($"linprobe-few{e.Key}/linprobe.json")), ReadRecall(D($"retrieval{e.Key}/retrieval.json")))).ToArray();
        ProbeResult all = rows[0].AllLabels;
        var summary = new DemoSummary(all.HeldOutVideos, all.TrainVideos, FewLabels, ProbeRepeats, Clock.Elapsed.TotalSeconds, rows);
        CommonOptions.WriteJson(D("summary.json"), summary);

        Console.WriteLine();
        Console.WriteLine($"demo finished in {Clock.Elapsed:mm\\:ss}; everything is under {Path.GetFullPath(root)}");
        Console.WriteLine($"  linear probe top-1 on the {all.HeldOutVideos} held-out videos, mean of {ProbeRepeats} seeds:");
        Console.WriteLine($"    {"",-22}{"every train label",-22}{FewLabels + " labelled videos per class",-30}retrieval R@1/5/10");
        foreach (DemoSummaryRow r in rows)
            Console.WriteLine($"    {r.Encoder,-22}{r.AllLabels.Top1,-22:P1}{r.FewLabels.Top1,-30:P1}{string.Join(" / ", r.Recall.Select(x => x.ToString("P0")))}");
        Console.WriteLine($"  (every train label: {all.TrainVideos} videos; each run's top-1 is in summary.json)");
        Console.WriteLine($"  report: {Path.GetFullPath(D("report/report.html"))}");
        return 0;
    }

    // The demo's own results and encoders for the report: every probe and retrieval, one embedding map per encoder.
    private static string[] ReportResults(Func<string, string> d) =>
    [
        .. Encoders(d).SelectMany(e => new[] { "--linprobe", $"{e.Name}={d($"linprobe{e.Key}/linprobe.json")}" }),
        .. Encoders(d).SelectMany(e => new[] { "--linprobe", $"{e.Name}, {FewLabels} per class={d($"linprobe-few{e.Key}/linprobe.json")}" }),
        .. Encoders(d).SelectMany(e => new[] { "--retrieval", $"{e.Name}={d($"retrieval{e.Key}/retrieval.json")}" }),
        "--encoder", $"CrossVideoMAE={d("pretrain/model.safetensors")}",
        "--encoder", $"reconstruction only={d("pretrain-recon/model.safetensors")}",
        "--encoder", "random weights=random",
    ];

    private static string FindConfigs()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "configs", "demo-tiny.yaml"))) return Path.Combine(d.FullName, "configs");
        throw new FileNotFoundException("configs/demo-tiny.yaml not found above the program or the current folder");
    }

    // The numbers the summary needs from a linprobe.json (written by LinprobeCommand).
    private static ProbeResult ReadProbe(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement r = doc.RootElement;
        return new ProbeResult(r.GetProperty("Top1").GetDouble(), r.GetProperty("Top1PerRun").EnumerateArray().Select(x => x.GetDouble()).ToArray(),
            r.GetProperty("TrainVideos").GetInt32(), r.GetProperty("EvalVideos").GetInt32());
    }

    private static double[] ReadRecall(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            if (p.Name.Equals("recall", StringComparison.OrdinalIgnoreCase))
                return p.Value.EnumerateObject().Select(x => x.Value.GetDouble()).ToArray();
        throw new InvalidDataException($"{path} has no recall");
    }
}

/// <summary>One probe's outcome in the demo summary: mean top-1 over the seeds and each seed's.</summary>
public sealed record ProbeResult(double Top1, double[] Top1PerRun, int TrainVideos, int HeldOutVideos);

/// <summary>One encoder's line of the demo summary; Recall holds R@1, R@5, R@10.</summary>
public sealed record DemoSummaryRow(string Encoder, ProbeResult AllLabels, ProbeResult FewLabels, double[] Recall);

/// <summary>summary.json of <c>cvmae demo</c>.</summary>
public sealed record DemoSummary(int HeldOutVideos, int TrainVideos, int FewLabelsPerClass, int ProbeRepeats, double Seconds, DemoSummaryRow[] Encoders);
