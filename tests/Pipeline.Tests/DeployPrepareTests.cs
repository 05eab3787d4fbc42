using System.Diagnostics;
using System.Text.RegularExpressions;
using CrossVideoMAE.Pipeline.Prepare;
using CrossVideoMAE.TestSupport;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>deploy/prepare: the Kubernetes Indexed Job and the Slurm array parse, give the CLI arguments it
/// accepts, and use the part-index variable `cvmae prepare` reads.</summary>
[Collection(NightlyCollection.Name)]
public class DeployPrepareTests(NightlyPool pool)
{
    private static string Deploy(string name) => Path.Combine(RepoPaths.Root, "deploy", "prepare", name);

    // The tokens of a shell command line (plain words and double-quoted words; ${VAR} replaced from `vars`).
    private static string[] Tokens(string line, IReadOnlyDictionary<string, string> vars)
    {
        string expanded = Regex.Replace(line, @"\$\{?([A-Z_]+)\}?", m => vars.TryGetValue(m.Groups[1].Value, out string? v) ? v : m.Value);
        return Regex.Matches(expanded, "\"([^\"]*)\"|(\\S+)").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToArray();
    }

    private static void AssertParses(string[] tokens)
    {
        var result = Program.BuildRoot().Parse(tokens);
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors.Select(e => e.Message)) + " in: " + string.Join(' ', tokens));
    }

    [Fact]
    public void The_Kubernetes_indexed_job_prepares_its_part_from_JOB_COMPLETION_INDEX_and_the_merge_lists_every_part()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Deploy("prepare-indexed-job.yaml"))) yaml.Load(reader);
        Assert.Equal(2, yaml.Documents.Count);
        YamlNode Get(YamlNode n, params object[] path) => path.Aggregate(n, (x, key) => key is int i ? ((YamlSequenceNode)x)[i] : ((YamlMappingNode)x)[(string)key]);
        string Text(YamlNode n, params object[] path) => ((YamlScalarNode)Get(n, path)).Value!;

        YamlNode prepare = yaml.Documents[0].RootNode, merge = yaml.Documents[1].RootNode;
        Assert.Equal("Job", Text(prepare, "kind"));
        Assert.Equal("Indexed", Text(prepare, "spec", "completionMode"));
        int parts = int.Parse(Text(prepare, "spec", "completions"));
        Assert.Contains("JOB_COMPLETION_INDEX", PartIndexSource.Variables);

        string command = Text(prepare, "spec", "template", "spec", "containers", 0, "args", 0);
        Assert.DoesNotContain("--shard-index", command);
        for (int i = 0; i < parts; i++)
        {
            string[] tokens = Tokens(command, new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = i.ToString() });
            Assert.Equal(["exec", "cvmae", "prepare"], tokens[..3]);
            AssertParses(tokens[2..]);
            Assert.Equal(parts.ToString(), tokens[Array.IndexOf(tokens, "--num-shards") + 1]);
            Assert.Equal($"/data/shards/part{i}", tokens[Array.IndexOf(tokens, "--out") + 1]);
        }

        string[] mergeTokens = Tokens(Text(merge, "spec", "template", "spec", "containers", 0, "args", 0), new Dictionary<string, string>());
        AssertParses(mergeTokens[2..]);
        Assert.Equal(Enumerable.Range(0, parts).Select(i => $"/data/shards/part{i}/index-part{i:D3}of{parts:D3}.json"),
            mergeTokens.Where(t => t.EndsWith(".json") && t.Contains("index-part")));
        Assert.Contains("job/cvmae-prepare", ((YamlSequenceNode)Get(merge, "spec", "template", "spec", "initContainers", 0, "command")).Select(n => ((YamlScalarNode)n).Value));
    }

    [Fact]
    public void The_Slurm_array_prepares_its_part_from_SLURM_ARRAY_TASK_ID()
    {
        string script = File.ReadAllText(Deploy("prepare-array.sbatch"));
        ProcessRunner.Run("bash", ["-n", Deploy("prepare-array.sbatch")]);  // syntax
        Match array = Regex.Match(script, @"^#SBATCH --array=0-(\d+)$", RegexOptions.Multiline);
        Assert.True(array.Success);
        int parts = int.Parse(Regex.Match(script, @"^NUM_PARTS=(\d+)$", RegexOptions.Multiline).Groups[1].Value);
        Assert.Equal(parts - 1, int.Parse(array.Groups[1].Value));
        Assert.Contains("SLURM_ARRAY_TASK_ID", PartIndexSource.Variables);

        string command = Regex.Match(script, @"^cvmae prepare .*?(?<!\\)$", RegexOptions.Multiline | RegexOptions.Singleline).Value;
        command = command.Replace("\\\n", " ");
        Assert.DoesNotContain("--shard-index", command);
        var vars = new Dictionary<string, string> { ["NUM_PARTS"] = parts.ToString(), ["DATA"] = "/d", ["SHARDS"] = "/s", ["PART_DIR"] = "/s/part2", ["SLURM_ARRAY_TASK_ID"] = "2" };
        AssertParses(Tokens(command, vars)[1..]);
    }

    [Fact]
    public void The_part_index_comes_from_the_option_else_the_scheduler_variables()
    {
        Func<string, string?> Env(params (string, string)[] vars) => n => vars.FirstOrDefault(v => v.Item1 == n).Item2;
        Assert.Equal(3, PartIndexSource.Resolve(3, Env(("JOB_COMPLETION_INDEX", "1"))));
        Assert.Equal(1, PartIndexSource.Resolve(null, Env(("JOB_COMPLETION_INDEX", "1"), ("SLURM_ARRAY_TASK_ID", "2"))));
        Assert.Equal(2, PartIndexSource.Resolve(null, Env(("SLURM_ARRAY_TASK_ID", "2"))));
        Assert.Equal(0, PartIndexSource.Resolve(null, Env()));
        var e = Assert.Throws<ArgumentException>(() => PartIndexSource.Resolve(null, Env(("SLURM_ARRAY_TASK_ID", "-1"))));
        Assert.Contains("SLURM_ARRAY_TASK_ID='-1' is not a part index", e.Message);
    }

    [Fact]
    public async Task Prepare_run_by_the_CLI_takes_its_part_from_JOB_COMPLETION_INDEX()
    {
        using var dir = new TempDir();
        NightlyDataset d = pool.NewDataset(dir);
        string outDir = Path.Combine(dir.Path, "part1");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cvmae.dll"));
        foreach (string a in d.CliArguments(outDir)) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--num-shards");
        psi.ArgumentList.Add("2");
        psi.Environment["JOB_COMPLETION_INDEX"] = "1";
        using var p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, await err);
        var index = await Stages.Shards.ShardIndexFile.LoadAsync(Path.Combine(outDir, "index-part001of002.json"));
        Assert.Equal(new Stages.Shards.IndexPartition(1, 2), index.Partition);
    }
}
