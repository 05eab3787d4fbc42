using System.CommandLine;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Pipeline.Downstream;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// <c>cvmae eval --manifest index.json --weights CLASSIFIER [--clips K --crops 3] [--out DIR]</c>:
/// multi-view testing (K temporal clips x 3 spatial crops, softmax averaged per video): top-1, top-5,
/// per-class accuracy and the confusion matrix, printed and written to DIR/eval.json.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var weights = new Option<string>("--weights") { Description = "Classifier weights (cvmae finetune output: classifier.safetensors or a ckpt file).", Required = true };
        var clips = new Option<int>("--clips") { Description = "Temporal clips per video (rows with ClipIndex < K).", DefaultValueFactory = _ => 5 };
        var crops = new Option<int>("--crops") { Description = "Spatial crops per clip: 1 (centre) or 3.", DefaultValueFactory = _ => 3 };
        var split = new Option<string?>("--split") { Description = "Split to evaluate (default: val if present, else test)." };
        var output = new Option<string?>("--out") { Description = "Output folder for eval.json (default: next to the weights)." };
        var cmd = new Command("eval", "Multi-view testing of a fine-tuned classifier: top-1, top-5, per-class accuracy, confusion matrix.")
        {
            weights, clips, crops, split, output,
        };
        common.AddTo(cmd);
        cmd.SetAction((r, ct) => CommonOptions.Guard(async () =>
        {
            DownstreamSetup.SetThreads(r.GetValue(common.Threads));
            int k = r.GetValue(clips), v = r.GetValue(crops);
            if (k < 1) throw new ArgumentException($"--clips must be positive (got {k})");
            if (v is not (1 or 3)) throw new ArgumentException($"--crops must be 1 or 3 (got {v})");
            LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(r.GetValue(common.Manifest)!, ct);
            string evalSplit = await loader.HeldOutSplitAsync(r.GetValue(split), ct);
            using ModelWeights w = ModelWeights.Load(r.GetValue(weights)!);
            using VideoClassifier model = ClassifierLoading.Load(w, r.GetValue(common.Model), r.GetValue(common.Size), loader.ClipLength);
            model.to(common.ParseDevice(r));
            int size = (int)model.Config.VideoSize;
            VideoScores scores = await MultiViewEvaluation.ScoreAsync(model, loader, evalSplit, k, v, size, r.GetValue(common.Batch), common.ParseDevice(r), ct);
            ClassificationMetrics m = scores.Metrics();
            string[] names = loader.ClassNames;
            Console.WriteLine($"eval '{evalSplit}': {m.Count} videos, {scores.Views} views ({k} clips x {v} crops at most), top-1 {m.Top1:P2}, top-5 {m.Top5:P2}");
            Console.WriteLine("per-class accuracy:");
            for (int c = 0; c < names.Length; c++)
                Console.WriteLine($"  {c,3} {names[c],-24} {(m.PerClassAccuracy[c] is double a ? a.ToString("P2", System.Globalization.CultureInfo.InvariantCulture) : "(no videos)")}");
            Console.WriteLine("confusion matrix (rows: true class):");
            Console.Write(m.FormatConfusion(names));
            string dir = r.GetValue(output) ?? Path.GetDirectoryName(Path.GetFullPath(w.Path))!;
            string path = Path.Combine(dir, "eval.json");
            CommonOptions.WriteJson(path, new
            {
                weights = w.Path, split = evalSplit, clips = k, crops = v, size, videos = m.Count, views = scores.Views,
                top1 = m.Top1, top5 = m.Top5, class_names = names, per_class_accuracy = m.PerClassAccuracy, confusion = m.Confusion,
            });
            CliLog.Info($"wrote {path}");
            return 0;
        }));
        return cmd;
    }
}
