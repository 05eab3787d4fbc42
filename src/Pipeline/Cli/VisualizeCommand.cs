using System.CommandLine;
using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Pipeline.Report;
using CrossVideoMAE.Torch;
using CvMae = CrossVideoMAE.Model.CrossVideoMAE;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// <c>cvmae visualize --manifest index.json --weights MODEL --metrics metrics.jsonl --out DIR
/// [--linprobe NAME=FILE ...] [--retrieval NAME=FILE ...] [--eval NAME=FILE ...] [--encoder NAME=WEIGHTS|random ...]</c>:
/// for a few held-out clips, DIR/figure-NN.png (original | masked input | reconstruction | last-block
/// attention, the paper's Figure 1), and DIR/report.html, one self-contained file (<see cref="HtmlReport"/>):
/// run card, training curves, the evaluation results given (without any: those found in DIR or next to
/// the metrics file), the embedding map of each encoder (default: the model's own) and the figures.
/// </summary>
public static class VisualizeCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var weights = new Option<string>("--weights") { Description = "Full CrossVideoMAE model state (cvmae pretrain output or a training checkpoint).", Required = true };
        var metrics = new Option<string?>("--metrics") { Description = "metrics.jsonl of the run, for the run card and the training curves (config.resolved.yaml is read beside it)." };
        var output = new Option<string>("--out") { Description = "Output folder (figure-*.png, report.html).", Required = true };
        var clips = new Option<int>("--clips") { Description = "Clips to draw.", DefaultValueFactory = _ => 4 };
        var split = new Option<string?>("--split") { Description = "Split to draw and map (default: val if present, else test)." };
        var maskRatio = new Option<double>("--mask-ratio") { Description = "Video mask ratio of the figure.", DefaultValueFactory = _ => 0.9 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the masks (and of a random encoder).", DefaultValueFactory = _ => 0 };
        var linprobe = new Option<string[]>("--linprobe") { Description = "A linprobe.json to show, as NAME=FILE or FILE (repeatable)." };
        var retrieval = new Option<string[]>("--retrieval") { Description = "A retrieval.json to show, as NAME=FILE or FILE (repeatable)." };
        var eval = new Option<string[]>("--eval") { Description = "An eval.json to show, as NAME=FILE or FILE (repeatable)." };
        var encoders = new Option<string[]>("--encoder") { Description = "An encoder for the embedding maps, as NAME=WEIGHTS, or NAME=random for a random encoder of the model's config (repeatable; default: the model itself)." };
        var cmd = new Command("visualize", "An HTML report of a CrossVideoMAE run: run card, training curves, evaluation results, embedding maps, reconstruction and attention figures.")
        {
            weights, metrics, output, clips, split, maskRatio, seed, linprobe, retrieval, eval, encoders,
        };
        common.AddTo(cmd);
        cmd.SetAction((r, ct) => CommonOptions.Guard(async () =>
        {
            DownstreamSetup.SetThreads(r.GetValue(common.Threads));
            int count = r.GetValue(clips);
            if (count < 1) throw new ArgumentException($"--clips must be positive (got {count})");
            string outDir = Path.GetFullPath(r.GetValue(output)!);
            string? metricsPath = r.GetValue(metrics);
            if (metricsPath is not null && !File.Exists(metricsPath)) throw new FileNotFoundException($"metrics file '{metricsPath}' does not exist", metricsPath);
            var results = new List<ResultFile>();
            results.AddRange((r.GetValue(linprobe) ?? []).Select(t => ResultFile.Parse(ResultKind.Linprobe, t)));
            results.AddRange((r.GetValue(retrieval) ?? []).Select(t => ResultFile.Parse(ResultKind.Retrieval, t)));
            results.AddRange((r.GetValue(eval) ?? []).Select(t => ResultFile.Parse(ResultKind.Eval, t)));
            var encoderSpecs = (r.GetValue(encoders) ?? []).Select(ParseEncoder).ToList();
            Device device = common.ParseDevice(r);

            LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(r.GetValue(common.Manifest)!, ct);
            var splits = await loader.CountSplitsAsync(ct);
            string chosen = r.GetValue(split) ?? (splits.ContainsKey("val") ? "val" : splits.ContainsKey("test") ? "test" : splits.Keys.First());
            using ModelWeights w = ModelWeights.Load(r.GetValue(weights)!);
            ModelConfig baseConfig = DownstreamSetup.ResolveConfig(r.GetValue(common.Model), w);
            int size = DownstreamSetup.InputSize(r.GetValue(common.Size), w, baseConfig, loader.ClipLength);
            ModelConfig config = baseConfig.WithInput(loader.ClipLength, size) with { VideoMaskRatio = r.GetValue(maskRatio), ImageMaskRatio = 0 };
            using var model = new CvMae(config);
            if (!w.State.Keys.Any(k => k.StartsWith("decoder.", StringComparison.Ordinal)))
                throw new InvalidDataException($"{w.Path}: visualize needs the full CrossVideoMAE state (decoder, e_u), not an encoder export");
            try { model.load_state_dict(w.State, strict: true); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{w.Path}: {e.Message}", e); }
            model.to(device);

            var figures = new List<ReconstructionFigure>();
            using (var generator = new Generator(r.GetValue(seed)))
            {
                await foreach (LabelledClipBatch batch in loader.ReadAsync(chosen, DownstreamSetup.CenterCrop(size), count, 1, ct))
                {
                    using (batch)
                    {
                        using Tensor video = batch.Views.select(1, 0).to(device);                       // [B, 3, T, S, S]
                        IReadOnlyList<ReconstructionPanels> panels = ReconstructionView.Build(model, video, generator);
                        for (int i = 0; i < panels.Count; i++)
                            using (panels[i])
                            {
                                var (rgb, width, height) = FigureImage.Compose(panels[i], config.TubeletSize);
                                byte[] png = PngWriter.Encode(rgb, width, height);
                                AtomicFile.WriteAllBytes(Path.Combine(outDir, $"figure-{figures.Count:D2}.png"), png);
                                int[] frames = Enumerable.Range(0, config.NumFrames / config.TubeletSize).Select(t => t * config.TubeletSize).ToArray();
                                ClipKey k = batch.Clips[i];
                                figures.Add(new ReconstructionFigure(png, width, height, frames,
                                    $"{k.VideoId} clip {k.ClipIndex} ({loader.ClassNames[k.Label]}), mask ratio {config.VideoMaskRatio}"));
                            }
                    }
                    if (figures.Count >= count) break;
                }
            }

            var maps = new List<EmbeddingMap>();
            if (encoderSpecs.Count == 0) encoderSpecs.Add((Path.GetFileName(w.Path), w.Path));
            foreach (var (name, path) in encoderSpecs)
            {
                CliLog.Info($"embedding map: {name} on '{chosen}'");
                if (path is null)
                    maps.Add(await EncoderEmbeddings.MapAsync(name, null, baseConfig, size, loader, chosen, r.GetValue(common.Batch), device, r.GetValue(seed), ct));
                else
                {
                    using ModelWeights ew = ModelWeights.Load(path);
                    ModelConfig ec = DownstreamSetup.ResolveConfig(r.GetValue(common.Model), ew);
                    int es = DownstreamSetup.InputSize(r.GetValue(common.Size), ew, ec, loader.ClipLength);
                    maps.Add(await EncoderEmbeddings.MapAsync(name, ew, ec, es, loader, chosen, r.GetValue(common.Batch), device, r.GetValue(seed), ct));
                }
            }

            if (results.Count == 0)
            {
                var folders = new List<string> { outDir };
                if (metricsPath is not null) folders.Add(Path.GetDirectoryName(Path.GetFullPath(metricsPath))!);
                results.AddRange(HtmlReport.FindResults(folders).Select(p => new ResultFile(ResultFile.KindOf(p), Path.GetRelativePath(outDir, Path.GetDirectoryName(p)!), p)));
            }
            string? configPath = metricsPath is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(metricsPath))!, Train.PretrainRun.ResolvedConfigFile);
            var content = new ReportContent($"CrossVideoMAE report: {Path.GetFileName(w.Path)}")
            {
                MetricsPath = metricsPath, ConfigPath = configPath is not null && File.Exists(configPath) ? configPath : null,
                ManifestPath = loader.IndexPath, RowsPerSplit = splits, Results = results,
                Maps = maps, ClassNames = loader.ClassNames, MapSplit = chosen, Figures = figures,
            };
            string report = Path.Combine(outDir, "report.html");
            AtomicFile.WriteAllText(report, HtmlReport.Render(content));
            CliLog.Info($"wrote {figures.Count} figures and {report}");
            return 0;
        }));
        return cmd;
    }

    // NAME=WEIGHTS or NAME=random (null path: a random encoder).
    private static (string Name, string? Path) ParseEncoder(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1) throw new ArgumentException($"--encoder '{text}': expected NAME=WEIGHTS or NAME=random");
        string name = text[..eq], path = text[(eq + 1)..];
        if (path == "random") return (name, null);
        if (!File.Exists(path)) throw new FileNotFoundException($"--encoder {name}: weights file '{path}' does not exist", path);
        return (name, path);
    }
}
