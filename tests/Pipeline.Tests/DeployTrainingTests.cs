using System.Diagnostics;
using CrossVideoMAE.Pipeline.Train.Distributed;
using CrossVideoMAE.TestSupport;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>The training launch files in deploy/: they parse, their command lines are valid `cvmae`
/// command lines, and the variables they (or their launcher) set are the ones the program reads.</summary>
public class DeployTrainingTests
{
    private static void AssertValidCommandLine(IReadOnlyList<string> args)
    {
        Assert.Equal("pretrain", args[0]);
        var errors = Program.BuildRoot().Parse(args.ToArray()).Errors;
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => e.Message)));
    }

    [Fact]
    public void The_slurm_script_sets_the_master_and_runs_a_valid_pretrain_per_task()
    {
        using var dir = new TempDir();
        // Stand-ins for Slurm's tools: scontrol lists two nodes, srun records its environment and arguments.
        string bin = Directory.CreateDirectory(dir.File("bin")).FullName;
        string record = dir.File("srun.txt");
        File.WriteAllText(Path.Combine(bin, "scontrol"), "#!/bin/sh\nprintf 'gpu-07\\ngpu-08\\n'\n");
        File.WriteAllText(Path.Combine(bin, "srun"),
            "#!/bin/sh\n{ echo \"MASTER_ADDR=$MASTER_ADDR\"; echo \"MASTER_PORT=$MASTER_PORT\"; echo \"CVMAE_THREADS=$CVMAE_THREADS\"; for a in \"$@\"; do echo \"ARG=$a\"; done; } > \"$SRUN_RECORD\"\n");
        foreach (string tool in new[] { "scontrol", "srun" })
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(bin, tool), (UnixFileMode)0b111_101_101);

        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(RepoPaths.Root, "deploy", "slurm", "train.sbatch"));
        psi.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment["SLURM_JOB_NODELIST"] = "gpu-[07-08]";
        psi.Environment["SLURM_JOB_ID"] = "4242";
        psi.Environment["SLURM_CPUS_PER_TASK"] = "12";
        psi.Environment["SRUN_RECORD"] = record;
        psi.Environment.Remove("MASTER_PORT");
        using (Process p = Process.Start(psi)!)
        {
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err);
        }
        string[] lines = File.ReadAllLines(record);
        Assert.Contains("MASTER_ADDR=gpu-07", lines);
        Assert.Contains("MASTER_PORT=29500", lines);
        Assert.Contains("CVMAE_THREADS=12", lines);
        var args = lines.Where(l => l.StartsWith("ARG=")).Select(l => l[4..]).ToList();
        Assert.Equal("--kill-on-bad-exit=1", args[0]);
        Assert.Equal("cvmae", args[1]);
        AssertValidCommandLine(args.Skip(2).ToList());

        // What srun sets for each task, with the script's master, is what the program reads.
        var env = new Dictionary<string, string> { ["SLURM_PROCID"] = "9", ["SLURM_NTASKS"] = "16", ["SLURM_LOCALID"] = "1", ["MASTER_ADDR"] = "gpu-07", ["MASTER_PORT"] = "29500" };
        Assert.Equal(new RankEnvironment(9, 16, 1, "gpu-07", 29500, "Slurm"), RankEnvironment.Read(n => env.GetValueOrDefault(n)));
        Assert.All(env.Keys, k => Assert.Contains(k, RankEnvironment.Variables));
    }

    [Fact]
    public void The_pytorchjob_parses_and_each_replica_runs_a_valid_pretrain()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepoPaths.Root, "deploy", "kubernetes", "train-pytorchjob.yaml")))
            yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        YamlNode Get(YamlNode n, params string[] path) => path.Aggregate(n, (x, k) => ((YamlMappingNode)x).Children[new YamlScalarNode(k)]);
        Assert.Equal("kubeflow.org/v1", Get(root, "apiVersion").ToString());
        Assert.Equal("PyTorchJob", Get(root, "kind").ToString());
        var specs = (YamlMappingNode)Get(root, "spec", "pytorchReplicaSpecs");
        Assert.Equal(["Master", "Worker"], specs.Children.Keys.Select(k => k.ToString()).Order());
        Assert.Equal("1", Get(specs, "Master", "replicas").ToString());
        foreach (var (_, spec) in specs.Children)
        {
            var container = (YamlMappingNode)((YamlSequenceNode)Get(spec, "template", "spec", "containers")).Children.Single();
            Assert.Equal("pytorch", Get(container, "name").ToString());   // the operator injects its variables into this container
            var command = ((YamlSequenceNode)Get(container, "command")).Children.Select(c => c.ToString()).ToList();
            Assert.Equal("cvmae", command[0]);
            AssertValidCommandLine(command.Skip(1).ToList());
            foreach (YamlNode e in (YamlSequenceNode)Get(container, "env"))
                Assert.Contains(Get(e, "name").ToString(), RankEnvironment.TuningVariables);
            Assert.Equal("1", Get(container, "resources", "limits", "nvidia.com/gpu").ToString());
        }
        // The operator sets these in every pod; they are what the program reads (LOCAL_RANK absent: one rank per pod).
        var set = new Dictionary<string, string> { ["RANK"] = "2", ["WORLD_SIZE"] = "4", ["MASTER_ADDR"] = "cvmae-pretrain-k400-master-0", ["MASTER_PORT"] = "23456" };
        Assert.Equal(new RankEnvironment(2, 4, 0, "cvmae-pretrain-k400-master-0", 23456, "RANK/WORLD_SIZE"), RankEnvironment.Read(n => set.GetValueOrDefault(n)));
        Assert.All(set.Keys, k => Assert.Contains(k, RankEnvironment.Variables));
    }
}
