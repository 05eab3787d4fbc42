using System.CommandLine;
using CrossVideoMAE.Model;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Pipeline.Report;
using CrossVideoMAE.Torch;
using CvMae = CrossVideoMAE.Model.CrossVideoMAE;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// <c>cvmae visualize --manifest index.json --weights MODEL --metrics metrics.jsonl --out DIR</c>: for a few
/// clips, DIR/figure-NN.png (original | masked input | reconstruction | last-block attention, the paper's
/// Figure 1) and DIR/report.html with the loss curves, the figures and any evaluation JSON found in DIR
/// or next to the metrics file.
/// </summary>
public static class VisualizeCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var weights = new Option<string>("--weights") { Description = "Full CrossVideoMAE model state (cvmae pretrain output or a training checkpoint).", Required = true };
        var metrics = new Option<string?>("--metrics") { Description = "metrics.jsonl of the run, for the loss curves." };
        var output = new Option<string>("--out") { Description = "Output folder (figure-*.png, report.html).", Required = true };
        var clips = new Option<int>("--clips") { Description = "Clips to draw.", DefaultValueFactory = _ => 4 };
        var split = new Option<string?>("--split") { Description = "Split to draw from (default: val if present, else test)." };
        var maskRatio = new Option<double>("--mask-ratio") { Description = "Video mask ratio of the figure.", DefaultValueFactory = _ => 0.9 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the masks.", DefaultValueFactory = _ => 0 };
        var cmd = new Command("visualize", "Reconstruction and attention figures of a CrossVideoMAE model plus an HTML report with loss curves.")
        {
            weights, metrics, output, clips, split, maskRatio, seed,
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

            var images = new List<(string, string)>();
            using var generator = new Generator(r.GetValue(seed));
            int drawn = 0;
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
                            string name = $"figure-{drawn:D2}.png";
                            PngWriter.Write(Path.Combine(outDir, name), rgb, width, height);
                            images.Add((name, $"{batch.Clips[i].VideoId} clip {batch.Clips[i].ClipIndex} ({loader.ClassNames[batch.Clips[i].Label]}), mask ratio {config.VideoMaskRatio}"));
                            drawn++;
                        }
                }
                if (drawn >= count) break;
            }
            var folders = new List<string> { outDir };
            if (metricsPath is not null) folders.Add(Path.GetDirectoryName(Path.GetFullPath(metricsPath))!);
            string html = HtmlReport.Render($"CrossVideoMAE report: {Path.GetFileName(w.Path)}", metricsPath, images, HtmlReport.FindResults(folders), outDir);
            string report = Path.Combine(outDir, "report.html");
            Directory.CreateDirectory(outDir);
            File.WriteAllText(report, html);
            CliLog.Info($"wrote {drawn} figures and {report}");
            return 0;
        }));
        return cmd;
    }
}
