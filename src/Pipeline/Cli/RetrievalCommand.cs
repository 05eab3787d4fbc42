using System.CommandLine;
using CrossVideoMAE.Pipeline.Downstream;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// <c>cvmae retrieval --manifest index.json --weights W --out DIR</c>: held-out clips as queries, train
/// clips as gallery, cosine nearest neighbours, Recall@1/5/10 written to DIR/retrieval.json.
/// </summary>
public static class RetrievalCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var weights = new Option<string?>("--weights") { Description = "Encoder weights (any format linprobe accepts)." };
        var randomInit = new Option<bool>("--random-init") { Description = "Use a randomly initialised encoder (baseline)." };
        var output = new Option<string>("--out") { Description = "Output folder (retrieval.json).", Required = true };
        var gallerySplit = new Option<string>("--gallery-split") { Description = "Gallery split.", DefaultValueFactory = _ => "train" };
        var querySplit = new Option<string?>("--query-split") { Description = "Query split (default: val if present, else test)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of a random-init encoder.", DefaultValueFactory = _ => 0 };
        var perClip = new Option<bool>("--per-clip") { Description = "Every clip is a query and a gallery item (default: one feature per video, the mean of its clips)." };
        var cmd = new Command("retrieval", "Nearest-neighbour video retrieval with frozen encoder features: Recall@1/5/10.")
        {
            weights, randomInit, output, gallerySplit, querySplit, seed, perClip,
        };
        common.AddTo(cmd);
        cmd.SetAction((r, ct) => CommonOptions.Guard(async () =>
        {
            DownstreamSetup.SetThreads(r.GetValue(common.Threads));
            var request = new RetrievalRequest(r.GetValue(common.Manifest)!, r.GetValue(weights), r.GetValue(randomInit), r.GetValue(common.Model),
                r.GetValue(common.Size), r.GetValue(gallerySplit)!, r.GetValue(querySplit), r.GetValue(common.Batch), common.ParseDevice(r), r.GetValue(seed),
                r.GetValue(perClip));
            RetrievalReport report = await RetrievalRun.RunAsync(request, CliLog.Writer(), ct);
            string path = Path.Combine(r.GetValue(output)!, "retrieval.json");
            CommonOptions.WriteJson(path, report);
            CliLog.Info($"wrote {path}");
            return 0;
        }));
        return cmd;
    }
}
