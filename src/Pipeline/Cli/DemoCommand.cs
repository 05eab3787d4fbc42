using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// <c>cvmae demo</c>: the whole product on a small generated dataset, through the same commands
/// a user types: make-sample -> prepare (all splits; the train split alone for pre-training) -> pretrain (CrossVideoMAE, and the lambda_c = 0 ablation)
/// -> linear probe (pre-trained, ablation, random weights) -> retrieval -> visualize.
/// Prints where it is and the headline numbers; everything lands under --out.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for everything the demo writes", DefaultValueFactory = _ => "out/demo" };
        var steps = new Option<long?>("--pretrain-steps") { Description = "Optimiser steps of each pre-training (default: the configs' 200)" };
        var perClass = new Option<int>("--videos-per-class") { Description = "Sample videos per class", DefaultValueFactory = _ => 24 };
        var cmd = new Command("demo", "Run the whole pipeline on a generated dataset on CPU: prepare shards, pre-train a tiny model, probe it, write a report.")
        {
            output, steps, perClass,
        };
        cmd.SetAction(async (p, ct) => await RunAsync(p.GetValue(output)!, p.GetValue(steps), p.GetValue(perClass), ct));
        return cmd;
    }

    private static readonly Stopwatch Clock = new();

    public static async Task<int> RunAsync(string root, long? pretrainSteps, int videosPerClass, CancellationToken ct)
    {
        Clock.Restart();
        string configs = FindConfigs();
        string D(string name) => Path.Combine(root, name);
        string manifest = D("shards/index.json");
        // Pre-training sees the train split only, so the held-out videos stay unseen until the probe.
        string pretrainManifest = D("shards-train/index.json");
        string[] maxSteps = pretrainSteps is { } s ? ["--max-steps", s.ToString()] : [];

        var plan = new (string title, string[] args)[]
        {
            ("generating the sample dataset", ["make-sample", "--out", D("sample"), "--quick", "--one-scene", "--classes", "5", "--videos-per-class", videosPerClass.ToString()]),
            ("preparing shards", ["prepare", "--format", "ucf101", "--annotations", D("sample/annotations/ucf101"), "--videos", D("sample/videos"),
                "--out", D("shards"), "--name", "sample", "--clip-length", "8", "--stride", "2", "--clips-per-video", "2", "--short-side", "64", "--quiet"]),
            ("preparing the pre-training shards (train split only)", ["prepare", "--format", "ucf101", "--annotations", D("sample/annotations/ucf101"), "--videos", D("sample/videos"),
                "--out", D("shards-train"), "--name", "sample-train", "--splits", "train", "--clip-length", "8", "--stride", "2", "--clips-per-video", "2", "--short-side", "64", "--quiet"]),
            ("pre-training CrossVideoMAE (tiny)", ["pretrain", "--manifest", pretrainManifest, "--config", Path.Combine(configs, "demo-tiny.yaml"), "--out", D("pretrain"), "--quiet", .. maxSteps]),
            ("pre-training the reconstruction-only ablation (lambda_c = 0)", ["pretrain", "--manifest", pretrainManifest, "--config", Path.Combine(configs, "demo-tiny-recon.yaml"), "--out", D("pretrain-recon"), "--quiet", .. maxSteps]),
            ("linear probe: CrossVideoMAE encoder", ["linprobe", "--manifest", manifest, "--weights", D("pretrain/model.safetensors"), "--out", D("linprobe")]),
            ("linear probe: reconstruction-only encoder", ["linprobe", "--manifest", manifest, "--weights", D("pretrain-recon/model.safetensors"), "--out", D("linprobe-recon")]),
            ("linear probe: random weights", ["linprobe", "--manifest", manifest, "--weights", D("pretrain/model.safetensors"), "--random-init", "--out", D("linprobe-random")]),
            ("retrieval: CrossVideoMAE encoder", ["retrieval", "--manifest", manifest, "--weights", D("pretrain/model.safetensors"), "--out", D("retrieval")]),
            ("retrieval: random weights", ["retrieval", "--manifest", manifest, "--weights", D("pretrain/model.safetensors"), "--random-init", "--out", D("retrieval-random")]),
            ("report", ["visualize", "--manifest", manifest, "--weights", D("pretrain/model.safetensors"), "--metrics", D("pretrain/metrics.jsonl"),
                "--out", D("report"), "--mask-ratio", "0.75"]),
        };

        for (int i = 0; i < plan.Length; i++)
        {
            var (title, args) = plan[i];
            Console.WriteLine($"[demo {i + 1}/{plan.Length}] {title}  ({Clock.Elapsed:mm\\:ss})");
            int rc = await Program.BuildRoot().Parse(args).InvokeAsync(cancellationToken: ct);
            if (rc != 0)
            {
                Console.Error.WriteLine($"error: demo step '{title}' failed (exit {rc}); command: cvmae {string.Join(' ', args)}");
                return rc;
            }
        }

        double Get(string file, string key) => ReadNumber(D(file), key);
        Console.WriteLine();
        Console.WriteLine($"demo finished in {Clock.Elapsed:mm\\:ss}; everything is under {Path.GetFullPath(root)}");
        Console.WriteLine($"  linear probe top-1 on the held-out split:  CrossVideoMAE {Get("linprobe/linprobe.json", "top1"):P1}   " +
                          $"reconstruction only {Get("linprobe-recon/linprobe.json", "top1"):P1}   random weights {Get("linprobe-random/linprobe.json", "top1"):P1}");
        Console.WriteLine($"  retrieval Recall@1/5/10:  CrossVideoMAE {Recall(D("retrieval/retrieval.json"))}   random weights {Recall(D("retrieval-random/retrieval.json"))}");
        Console.WriteLine($"  report: {Path.GetFullPath(D("report/report.html"))}");
        return 0;
    }

    private static string FindConfigs()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "configs", "demo-tiny.yaml"))) return Path.Combine(d.FullName, "configs");
        throw new FileNotFoundException("configs/demo-tiny.yaml not found above the program or the current folder");
    }

    // Reads a number from a report whatever its key casing ("top1", "Top1", "top_1").
    private static double ReadNumber(string path, string key)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            if (Normal(p.Name) == Normal(key) && p.Value.ValueKind == JsonValueKind.Number) return p.Value.GetDouble();
        throw new InvalidDataException($"{path} has no '{key}'");
    }

    private static string Recall(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            if (Normal(p.Name) == "recall")
                return string.Join(" / ", p.Value.EnumerateObject().Select(r => $"{r.Value.GetDouble():P0}"));
        throw new InvalidDataException($"{path} has no recall");
    }

    private static string Normal(string s) => s.Replace("_", "").ToLowerInvariant();
}
