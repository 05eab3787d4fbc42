using System.CommandLine;
using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Diagnostics;
using CrossVideoMAE.Model.Objective;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// <c>cvmae inspect-step --model tiny --seed S --out FILE.safetensors</c>: one forward and backward
/// pass on a deterministic random batch, every intermediate written to FILE (see
/// <see cref="StepInspection.Run"/> for the keys) and a JSON sidecar FILE.json naming the config.
/// </summary>
public static class InspectStepCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--model") { Description = $"Model size ({string.Join(", ", ModelConfigs.Names)}).", DefaultValueFactory = _ => "tiny" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the weights (batch: seed+1, masks: seed+2).", DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo>("--out") { Description = "The safetensors file to write.", Required = true };
        var batch = new Option<int>("--batch") { Description = "Clips in the batch.", DefaultValueFactory = _ => 2 };
        var clipFrames = new Option<int>("--clip-frames") { Description = "Frames per clip (divisible by the tubelet size 2).", DefaultValueFactory = _ => 4 };
        var size = new Option<int>("--size") { Description = "Side of the clip frames and sampled frames (divisible by 16).", DefaultValueFactory = _ => 32 };
        var sampled = new Option<int>("--sampled-frames") { Description = "Sampled frames per clip (n).", DefaultValueFactory = _ => 1 };
        var videoRatio = new Option<double>("--video-mask-ratio") { Description = "Video mask ratio (small inputs need less than the default 0.95).", DefaultValueFactory = _ => 0.5 };
        var imageRatio = new Option<double>("--image-mask-ratio") { Description = "Image mask ratio.", DefaultValueFactory = _ => 0.5 };
        var masking = new Option<MaskingKind>("--masking") { Description = "Video masking: Random, Tube or Frame.", DefaultValueFactory = _ => MaskingKind.Random };
        var symmetric = new Option<bool>("--symmetric") { Description = "Use the symmetric contrastive losses." };

        var cmd = new Command("inspect-step", "Run one CrossVideoMAE forward+backward on a deterministic random batch and write every intermediate to a safetensors file.")
        {
            config, seed, output, batch, clipFrames, size, sampled, videoRatio, imageRatio, masking, symmetric,
        };
        cmd.SetAction(r =>
        {
            try
            {
                ModelConfig mc = ModelConfigs.Get(r.GetValue(config)!).WithInput(r.GetValue(clipFrames), r.GetValue(size)) with
                {
                    VideoMaskRatio = r.GetValue(videoRatio),
                    ImageMaskRatio = r.GetValue(imageRatio),
                    VideoMasking = r.GetValue(masking),
                };
                LossConfig lc = LossConfig.Default with { Symmetric = r.GetValue(symmetric) };
                string path = r.GetValue(output)!.FullName;
                var losses = StepInspection.Write(path, mc, lc, r.GetValue(seed), r.GetValue(batch), r.GetValue(sampled));
                Console.WriteLine($"wrote {path} and {path}.json ({mc.Name}, {mc.NumFrames}x{mc.VideoSize}x{mc.VideoSize}, seed {r.GetValue(seed)})");
                foreach (var (k, v) in losses) Console.WriteLine($"  loss {k,-12} {v:F6}");
                return 0;
            }
            catch (Exception e)
            {
                return ExitCodes.Fail(e);
            }
        });
        return cmd;
    }
}
