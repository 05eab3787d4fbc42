using System.CommandLine;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Pipeline.Train.Distributed;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// <c>cvmae linprobe --manifest index.json --weights W --out DIR</c>: linear probe of a frozen encoder
/// (<see cref="LinearProbeRun"/>); writes DIR/linprobe.json. <c>--random-init</c> probes a randomly
/// initialised encoder of the same config, the baseline a pre-trained encoder must beat.
/// </summary>
public static class LinprobeCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var weights = new Option<string?>("--weights") { Description = "Pre-trained weights: a training checkpoint, a full CrossVideoMAE state, a classifier or an MAE-style video encoder (safetensors)." };
        var randomInit = new Option<bool>("--random-init") { Description = "Use a randomly initialised encoder (baseline); --weights then only fixes the config and size." };
        var output = new Option<string>("--out") { Description = "Output folder (linprobe.json).", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Probe epochs.", DefaultValueFactory = _ => 100 };
        var warmup = new Option<int>("--warmup-epochs") { Description = "Linear warmup epochs.", DefaultValueFactory = _ => 10 };
        var lr = new Option<double>("--lr") { Description = "SGD learning rate (momentum 0.9, no weight decay).", DefaultValueFactory = _ => 0.1 };
        var probeBatch = new Option<int>("--probe-batch") { Description = "Feature rows per SGD step.", DefaultValueFactory = _ => 64 };
        var trainSplit = new Option<string>("--train-split") { Description = "Split the probe trains on.", DefaultValueFactory = _ => "train" };
        var evalSplit = new Option<string?>("--eval-split") { Description = "Held-out split (default: val if present, else test)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the head, the shuffle, a random encoder and the few-label choice.", DefaultValueFactory = _ => 0 };
        var repeats = new Option<int>("--repeats") { Description = "Run the probe with seeds --seed .. --seed + N - 1 and report the mean top-1 (and each run's).", DefaultValueFactory = _ => 1 };
        var labelsPerClass = new Option<int?>("--labels-per-class") { Description = "Few-label probe: train the head on this many labelled videos of each class (all their clips), chosen with --seed (default: every train video)." };

        Option<int> nproc = RankLaunch.CreateOption();
        var cmd = new Command("linprobe", "Linear probe of a frozen video encoder: top-1/top-5 on the held-out split.")
        {
            weights, randomInit, output, epochs, warmup, lr, probeBatch, trainSplit, evalSplit, seed, labelsPerClass, repeats, nproc,
        };
        common.AddTo(cmd);
        cmd.SetAction((r, ct) => CommonOptions.Guard(async () =>
        {
            RankEnvironment env = RankEnvironment.FromProcess();
            if (await RankLaunch.LaunchIfAskedAsync(r, nproc, env, ct) is int launched) return launched;
            DownstreamSetup.SetThreads(r.GetValue(common.Threads));
            var device = RankLaunch.RankDevice(common.ParseDevice(r), env);
            using IRankGroup group = RankLaunch.Join(env, device);
            var request = new LinearProbeRequest(r.GetValue(common.Manifest)!, r.GetValue(weights), r.GetValue(randomInit),
                r.GetValue(common.Model), r.GetValue(common.Size), r.GetValue(trainSplit)!, r.GetValue(evalSplit),
                r.GetValue(common.Batch), device,
                new LinearProbeOptions(r.GetValue(epochs), r.GetValue(warmup), r.GetValue(lr), r.GetValue(probeBatch), r.GetValue(seed)),
                r.GetValue(seed), r.GetValue(labelsPerClass), r.GetValue(repeats)) { Group = group };
            LinearProbeReport report = await LinearProbeRun.RunAsync(request, group.Rank == 0 ? CliLog.Writer() : TextWriter.Null, ct);
            if (group.Rank != 0) return 0;
            string path = Path.Combine(r.GetValue(output)!, "linprobe.json");
            CommonOptions.WriteJson(path, report);
            CliLog.Info($"wrote {path}");
            return 0;
        }));
        return cmd;
    }
}
