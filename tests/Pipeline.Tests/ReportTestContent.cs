using System.Text.Json;
using CrossVideoMAE.Pipeline.Report;
using CrossVideoMAE.TestSupport;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>A small but complete report input written to a temporary folder: metrics with every logged key,
/// a resolved config, an index.json, probe/retrieval/eval results, two embedding maps and one figure.</summary>
internal static class ReportTestContent
{
    public static readonly string[] Classes = ["up", "down", "left"];

    public static ReportContent Write(TempDir dir)
    {
        Directory.CreateDirectory(dir.File("run"));
        string metrics = dir.File("run/metrics.jsonl");
        File.WriteAllLines(metrics, Enumerable.Range(1, 30).Select(s => JsonSerializer.Serialize(new Dictionary<string, double>
        {
            ["step"] = s, ["epoch"] = (s - 1) / 10, ["lr"] = 1e-4 * s / 30, ["grad_norm"] = 40.0 / s, ["clips_per_s"] = 10 + s % 3,
            ["feed_wait_ms"] = s == 1 ? 700 : 0.5 + s % 4, ["step_ms"] = 800,
            ["loss_total"] = 16.0 / s + 1, ["loss_intra"] = 3.0 - s * 0.01, ["loss_intra_video"] = 3.1 - s * 0.01, ["loss_intra_frame"] = 2.9 - s * 0.01,
            ["loss_cross"] = 12.0 / s, ["loss_cross_video"] = 12.5 / s, ["loss_cross_frame"] = 11.5 / s,
            ["loss_rl"] = 1.0 - s * 0.02, ["loss_rl_view1"] = 1.0 - s * 0.021, ["loss_rl_view2"] = 1.0 - s * 0.019,
            ["loss_mse"] = 0.01 / s, ["loss_extra"] = 0.5,
        })));
        File.WriteAllText(dir.File("run/config.resolved.yaml"), "model:\n  name: tiny\n  frames: 8\n  video_size: 64\n  frame_size: 64\nloss:\n  lambda_c: 1\n  cross: false\noptim:\n  batch_size: 8\n  betas:\n  - 0.9\n  - 0.95\nrun:\n  device: cpu\n");
        File.WriteAllText(dir.File("index.json"), """{"schema_version":1,"dataset":"sample","created":"2026-01-01T00:00:00Z","tool_version":"1.0.0.0","shards":[]}""");
        File.WriteAllText(dir.File("linprobe.json"), """{"RandomInit":false,"Top1":0.6,"Top5":1.0,"Top1PerRun":[0.5,0.7],"LabelsPerClass":null,"TrainVideos":9,"EvalVideos":3,"ClassNames":["up","down","left"],"Confusion":[[1,0,0],[0,1,0],[1,0,0]]}""");
        File.WriteAllText(dir.File("retrieval.json"), """{"Recall":{"R@1":0.5,"R@5":0.75,"R@10":1.0},"Queries":3,"Gallery":9,"Level":"video"}""");
        File.WriteAllText(dir.File("eval.json"), """{"top1":0.66,"top5":1.0,"videos":3,"views":9,"clips":1,"crops":3,"class_names":["up","down","left"],"confusion":[[1,0,0],[0,1,0],[0,1,1]]}""");

        // One figure: 4 rows of two 16 x 16 tiles with 2-pixel gaps, a gradient.
        int w = 2 * 16 + 3 * 2, h = 4 * 16 + 5 * 2;
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i % 251);
        var figure = new ReconstructionFigure(PngWriter.Encode(rgb, w, h), w, h, [0, 2], "video_1 clip 0 (up) <mask ratio 0.75>");

        var maps = new[] { "encoder A", "encoder B" }.Select((name, e) => new EmbeddingMap(name,
            Enumerable.Range(0, 9).Select(i => ((double)(i % 3) + 0.1 * i * (e + 1), (double)(i / 3) - 0.05 * i)).ToList(),
            Enumerable.Range(0, 9).Select(i => i % 3).ToArray(), Enumerable.Range(0, 9).Select(i => $"v{i}").ToArray(), (0.6, 0.3))).ToList();

        return new ReportContent("report <test>")
        {
            MetricsPath = metrics, ConfigPath = dir.File("run/config.resolved.yaml"), ManifestPath = dir.File("index.json"),
            RowsPerSplit = new Dictionary<string, int> { ["train"] = 18, ["val"] = 6 },
            Results =
            [
                new ResultFile(ResultKind.Linprobe, "probe A", dir.File("linprobe.json")),
                new ResultFile(ResultKind.Retrieval, "retrieval A", dir.File("retrieval.json")),
                new ResultFile(ResultKind.Eval, "eval A", dir.File("eval.json")),
            ],
            Maps = maps, ClassNames = Classes, MapSplit = "val", Figures = [figure],
        };
    }
}
