using System.CommandLine;
using System.Diagnostics;
using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.Pipeline.Train.Distributed;
using CrossVideoMAE.Torch;
using Spectre.Console;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// <c>cvmae pretrain --manifest index.json --config FILE.yaml --out DIR [--resume] [--max-steps N]
/// [--init-video X] [--init-image X] [--init-model DIR/model.safetensors] [--tta-steps K] [--quiet]
/// [--feed-only N] [--nproc-per-node N]</c>. See <see cref="PretrainRun"/> for what is written to DIR. With
/// <c>--feed-only N</c> no model is built: the feed produces N batches and their throughput is printed.
/// Data parallel: <c>--nproc-per-node N</c> starts N ranks here (<see cref="LocalLauncher"/>); a process
/// started by torchrun, srun or a PyTorchJob joins the group its environment describes (<see cref="RankEnvironment"/>).
/// Exit codes: 0 done, 1 a rank or a collective failed, 2 bad input (config, manifest, shards, checkpoint,
/// environment, port), 130 cancelled.
/// </summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var manifest = new Option<FileInfo>("--manifest") { Description = "index.json of the prepared shards.", Required = true };
        var config = new Option<FileInfo>("--config") { Description = "Pre-training settings (YAML, see configs/).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder (metrics, checkpoints, weights)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in DIR/checkpoints at the exact sample and step." };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Stop after this many optimiser steps (overrides optim.max_steps)." };
        var initVideo = new Option<FileInfo?>("--init-video") { Description = "Initial video encoder: MAE, mae_st or VideoMAE checkpoint (.pth or .safetensors)." };
        var initImage = new Option<FileInfo?>("--init-image") { Description = "Initial image encoder: MAE checkpoint (.pth or .safetensors)." };
        var initModel = new Option<FileInfo?>("--init-model") { Description = "Initial full model state (model.safetensors of an earlier run)." };
        var tta = new Option<int>("--tta-steps") { Description = "Test-time adaptation: K steps of the objective on each batch of the data, starting from the given weights.", DefaultValueFactory = _ => 0 };
        var split = new Option<string[]>("--split") { Description = "Splits of the manifest to train on, by name (default: every split).", AllowMultipleArgumentsPerToken = true };
        var feedOnly = new Option<long?>("--feed-only") { Description = "Measure the feed alone over N batches (no model, nothing written)." };
        Option<int> nproc = RankLaunch.CreateOption();

        var cmd = new Command("pretrain", "Pre-train a CrossVideoMAE model on prepared shards (on one process, or data-parallel over several).")
        {
            manifest, config, output, resume, maxSteps, initVideo, initImage, initModel, tta, feedOnly, split, nproc,
        };
        cmd.SetAction(async (r, ct) =>
        {
            RankEnvironment env = RankEnvironment.Single;
            try
            {
                env = RankEnvironment.FromProcess();
                if (await RankLaunch.LaunchIfAskedAsync(r, nproc, env, ct) is int launched) return launched;
                PretrainSettings settings = PretrainSettings.Load(r.GetValue(config)!.FullName);
                string index = r.GetValue(manifest)!.FullName;
                string[] splits = r.GetValue(split) ?? [];
                if (r.GetValue(feedOnly) is long n) return await FeedBenchAsync(settings, index, splits, n, ct);
                string outDir = r.GetValue(output)?.FullName ?? throw new ArgumentException("--out is required");
                var options = new PretrainOptions(index, outDir)
                {
                    Resume = r.GetValue(resume), MaxSteps = r.GetValue(maxSteps), TtaSteps = r.GetValue(tta),
                    InitVideo = r.GetValue(initVideo)?.FullName, InitImage = r.GetValue(initImage)?.FullName, InitModel = r.GetValue(initModel)?.FullName,
                    LocalRank = env.LocalRank,
                    Splits = splits,
                };
                using IRankGroup group = RankLaunch.Join(env, Device.Parse(settings.Run.Device));
                options = options with { Group = group };
                // Rank 0 speaks for the group; the other ranks print only their errors.
                var run = new PretrainRun(settings, options, group.Rank == 0 ? CliLog.Writer() : TextWriter.Null);
                TrainingSummary summary = await TrainingProgressDisplay.RunAsync(options.TtaSteps > 0 ? "tta" : "pretrain", group.Rank, onStep => run.RunAsync(onStep, ct));
                if (group.Rank == 0) Console.WriteLine(summary);
                return 0;
            }
            catch (Exception e)
            {
                return ExitCodes.Fail(e, e.Message.StartsWith("rank ", StringComparison.Ordinal) ? "" : RankPrefix(env));
            }
        });
        return cmd;
    }

    private static string RankPrefix(RankEnvironment env) => env.Distributed ? $"rank {env.Rank} of {env.WorldSize}: " : "";

    // Runs the feed alone and reports clips/s and clips per CPU-second (the per-core figure).
    private static async Task<int> FeedBenchAsync(PretrainSettings settings, string index, string[] splits, long batches, CancellationToken ct)
    {
        if (settings.Run.Threads > 0 && Environment.GetEnvironmentVariable("CVMAE_THREADS") is null) torch.set_num_threads(settings.Run.Threads);
        using var feed = await TrainFeed.OpenAsync(index, new FeedOptions(settings.Optim.BatchSize, settings.ToAugmentConfig(), settings.Run.Seed)
        {
            DecodeThreads = settings.Run.DecodeThreads, Prefetch = settings.Run.Prefetch,
            WindowShards = settings.Run.WindowShards, Device = Device.Parse(settings.Run.Device), Splits = splits,
        }, ct);
        // The first batch pays for JIT compilation and first-touch allocations; the steady-state
        // figures start after it (the totals include it).
        long clips = 0, done = 0, warmClips = 0;
        var process = Process.GetCurrentProcess();
        TimeSpan cpu0 = process.TotalProcessorTime, cpuWarm = cpu0;
        var wall = Stopwatch.StartNew();
        double wallWarm = 0;
        for (int epoch = 0; done < batches; epoch++)
        {
            long count = Math.Min(feed.BatchesPerEpoch, batches - done);
            if (count == 0) throw new InvalidDataException($"{index}: fewer samples than one batch");
            await foreach (FeedBatch b in feed.EpochAsync(epoch, 0, count, ct))
            {
                clips += b.Size;
                b.Dispose();
                if (++done == 1)
                {
                    warmClips = clips;
                    process.Refresh();
                    cpuWarm = process.TotalProcessorTime;
                    wallWarm = wall.Elapsed.TotalSeconds;
                }
            }
        }
        double seconds = wall.Elapsed.TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        Console.WriteLine($"feed: {clips} clips in {seconds:F2} s = {clips / seconds:F2} clips/s; {cpu:F2} CPU-s = {clips / cpu:F2} clips per CPU-second " +
                          $"({settings.Model.Frames}x{settings.Model.VideoSize}x{settings.Model.VideoSize}, decode threads {settings.Run.DecodeThreads}, intra-op threads {torch.get_num_threads()})");
        if (done > 1)
        {
            double steadyCpu = (process.TotalProcessorTime - cpuWarm).TotalSeconds, steadyWall = seconds - wallWarm;
            long steadyClips = clips - warmClips;
            Console.WriteLine($"feed after the first batch: {steadyClips} clips, {steadyClips / steadyWall:F2} clips/s, {steadyClips / steadyCpu:F2} clips per CPU-second");
        }
        return 0;
    }
}
