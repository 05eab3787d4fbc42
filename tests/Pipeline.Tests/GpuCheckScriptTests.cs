using System.Globalization;
using System.Text.RegularExpressions;
using CrossVideoMAE.GpuCheck;
using CrossVideoMAE.Model;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>bench/gpu/check.sh in its CPU mode, so the GPU script cannot rot between GPU sessions.</summary>
public class GpuCheckScriptTests
{
    [Fact]
    public void Cpu_mode_runs_every_phase_and_prints_the_summary()
    {
        using var dir = new TempDir();
        string output = ProcessRunner.Run("bash", [Path.Combine(RepoPaths.Root, "bench", "gpu", "check.sh"), "--cpu", "--steps", "4", "--work", dir.Path],
                                          workDir: RepoPaths.Root, timeoutMs: 300_000);

        Assert.Contains("smoke: tiny CrossVideoMAE step on cpu (forward, backward, AdamW)", output);
        Assert.Contains("smoke: passed", output);
        // 4 steps, the first skipped: steps 2-4 measured.
        Match steps = Regex.Match(output, @"summary\[cpu\]: steps 2-4 \(3 measured, world size 1\): ([0-9.]+) clips/s, ([0-9.]+) ms per step");
        Assert.True(steps.Success, output);
        Assert.True(Number(steps.Groups[1]) > 0 && Number(steps.Groups[2]) > 0, output);
        // The tiny recipe (configs/pretrain-tiny-cpu.yaml: 4x32x32, masks 0.5) with the one sampled frame prepare writes.
        ModelConfig tiny = ModelConfigs.Tiny.WithInput(4, 32, 32) with { VideoMaskRatio = 0.5, ImageMaskRatio = 0.5 };
        double gflop = TrainingFlops.PerClip(tiny, 1).Total / 1e9;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"summary[cpu]: {gflop:F2} GFLOP per clip per step"), output);
        Assert.Contains("summary[cpu]: MFU n/a (no peak for this device)", output);
        Match wait = Regex.Match(output, @"summary\[cpu\]: feed wait ([0-9.]+)% of step time");
        Assert.True(wait.Success && Number(wait.Groups[1]) <= 100, output);
        Assert.Contains("summary[cpu]: peak GPU memory n/a (--cpu)", output);
        Assert.EndsWith("check: passed", output.TrimEnd());
    }

    [Fact]
    public void A_work_folder_it_did_not_make_is_left_alone()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("keep.txt"), "mine");
        var e = Assert.Throws<InvalidOperationException>(() => ProcessRunner.Run("bash",
            [Path.Combine(RepoPaths.Root, "bench", "gpu", "check.sh"), "--cpu", "--work", dir.Path], workDir: RepoPaths.Root, timeoutMs: 60_000));
        Assert.Contains("was not made by this script", e.Message);
        Assert.True(File.Exists(dir.File("keep.txt")));
    }

    private static double Number(Group g) => double.Parse(g.Value, CultureInfo.InvariantCulture);
}
