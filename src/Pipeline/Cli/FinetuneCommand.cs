using System.CommandLine;
using CrossVideoMAE.Pipeline.Config;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Pipeline.Train.Distributed;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// <c>cvmae finetune --manifest index.json --weights W --config ft.yaml --out DIR</c>: supervised
/// fine-tuning (<see cref="FineTuning"/>; YAML keys in <see cref="FinetuneSettings"/>). <c>--resume</c> continues
/// at the exact batch and step; <c>--nproc-per-node N</c> or a launcher's environment runs it data-parallel.
/// </summary>
public static class FinetuneCommand
{
    public static Command Create()
    {
        var manifest = new Option<string>("--manifest") { Description = "The prepared dataset's index.json.", Required = true };
        var weights = new Option<string?>("--weights") { Description = "Pre-trained encoder weights (any format linprobe accepts); omitted: train from random init." };
        var config = new Option<string?>("--config") { Description = "Fine-tuning YAML (keys: see FinetuneSettings); omitted: the method's defaults." };
        var output = new Option<string>("--out") { Description = "Output folder: metrics.jsonl, classifier.safetensors, ckpt-*.safetensors.", Required = true };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:i].", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: the core count)." };
        var epochs = new Option<int?>("--epochs") { Description = "Override the YAML's epochs." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in DIR at the exact batch and step." };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Stop after this many optimiser steps (with a checkpoint)." };
        Option<int> nproc = RankLaunch.CreateOption();
        var cmd = new Command("finetune", "Fine-tune a video classifier from a pre-trained encoder (AdamW, layer decay, mixup/cutmix, label smoothing).")
        {
            manifest, weights, config, output, device, threads, epochs, resume, maxSteps, nproc,
        };
        cmd.SetAction((r, ct) => CommonOptions.Guard(async () =>
        {
            RankEnvironment env = RankEnvironment.FromProcess();
            if (await RankLaunch.LaunchIfAskedAsync(r, nproc, env, ct) is int launched) return launched;
            DownstreamSetup.SetThreads(r.GetValue(threads));
            string? yaml = r.GetValue(config);
            FinetuneSettings settings = yaml is null ? new FinetuneSettings() : StrictYaml.Load<FinetuneSettings>(yaml);
            if (r.GetValue(epochs) is int e)
            {
                settings.Epochs = e;
                settings.WarmupEpochs = Math.Min(settings.WarmupEpochs, e);
            }
            settings.Validate(yaml ?? "finetune defaults");
            var dev = RankLaunch.RankDevice(CrossVideoMAE.Torch.Device.Parse(r.GetValue(device)!), env);
            using IRankGroup group = RankLaunch.Join(env, dev);
            var request = new FinetuneRequest(r.GetValue(manifest)!, r.GetValue(weights), settings, r.GetValue(output)!, dev)
            {
                Resume = r.GetValue(resume), MaxSteps = r.GetValue(maxSteps), Group = group,
            };
            FinetuneResult result = await TrainingProgressDisplay.RunAsync("finetune", group.Rank,
                onStep => FineTuning.RunAsync(request, group.Rank == 0 ? CliLog.Writer() : TextWriter.Null, ct, onStep));
            if (group.Rank == 0) CliLog.Info($"wrote {result.Classifier} and {result.Checkpoint} after {result.Steps} steps");
            return 0;
        }));
        return cmd;
    }
}
