using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CrossVideoMAE.Pipeline.Cli;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>One convention across the cvmae commands: exit codes, --help epilog, --model, command order, JSON log lines.</summary>
public sealed class CliConventionTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-cli");

    public void Dispose() => dir.Dispose();

    public static TheoryData<string> ManifestCommands => new() { "pretrain", "finetune", "linprobe", "eval", "retrieval", "visualize", "merge-manifests" };

    // The command line of each command that reads a manifest, given that manifest.
    private string[] Args(string command, string manifest)
    {
        string weights = dir.File("weights.safetensors");
        File.WriteAllText(weights, "not read: the manifest is opened first");
        string outDir = dir.File("out-" + command);
        return command switch
        {
            "pretrain" => ["pretrain", "--manifest", manifest, "--config", Path.Combine(RepoPaths.Root, "configs", "pretrain-tiny-cpu.yaml"), "--out", outDir],
            "finetune" => ["finetune", "--manifest", manifest, "--out", outDir, "--epochs", "1"],
            "linprobe" => ["linprobe", "--manifest", manifest, "--random-init", "--out", outDir],
            "eval" => ["eval", "--manifest", manifest, "--weights", weights, "--out", outDir],
            "retrieval" => ["retrieval", "--manifest", manifest, "--random-init", "--out", outDir],
            "visualize" => ["visualize", "--manifest", manifest, "--weights", weights, "--out", outDir],
            "merge-manifests" => ["merge-manifests", manifest, "--out", Path.Combine(outDir, "index.json")],
            _ => throw new ArgumentException(command),
        };
    }

    [Theory]
    [MemberData(nameof(ManifestCommands))]
    public void A_bad_or_missing_manifest_exits_2_in_every_command_that_reads_one(string command)
    {
        string bad = dir.File($"bad-{command}.json");
        File.WriteAllText(bad, "{ \"shards\": [ this is not JSON");
        Assert.Equal(ExitCodes.BadInput, Program.Main(Args(command, bad)));
        Assert.Equal(ExitCodes.BadInput, Program.Main(Args(command, dir.File("missing-index.json"))));
    }

    [Fact]
    public void Usage_errors_exit_2_and_a_failed_run_exits_1()
    {
        Assert.Equal(ExitCodes.BadInput, Program.Main(["linprobe", "--no-such-option"]));
        Assert.Equal(ExitCodes.BadInput, Program.Main(["linprobe", "--manifest", "x.json", "--out", "o", "--epochs", "many"]));
        Assert.Equal(ExitCodes.BadInput, Program.Main(["no-such-command"]));
        // make-sample cannot write its dataset where a file already stands: the run fails.
        string blocker = dir.File("blocker");
        File.WriteAllText(blocker, "a file, not a folder");
        Assert.Equal(ExitCodes.RunFailed, Program.Main(["make-sample", "--out", blocker, "--quick", "--classes", "1", "--videos-per-class", "1"]));
        Assert.Equal(ExitCodes.BadInput, ExitCodes.For(new InvalidDataException()));
        Assert.Equal(ExitCodes.RunFailed, ExitCodes.For(new IOException()));
        Assert.Equal(ExitCodes.Cancelled, ExitCodes.For(new OperationCanceledException()));
    }

    [Fact]
    public void Commands_are_listed_in_the_order_a_user_meets_them_and_each_help_documents_the_exit_codes()
    {
        string[] expected = ["make-sample", "prepare", "merge-manifests", "pretrain", "finetune", "linprobe", "eval", "retrieval", "visualize", "inspect-step", "doctor", "demo"];
        RootCommand root = Program.BuildRoot();
        Assert.Equal(expected, root.Subcommands.Select(c => c.Name));
        foreach (string name in expected.Prepend(""))
        {
            var output = new StringWriter();
            string[] args = name.Length == 0 ? ["--help"] : [name, "--help"];
            Assert.Equal(0, root.Parse(args).Invoke(new InvocationConfiguration { Output = output }));
            string help = output.ToString();
            Assert.Contains(ExitCodes.HelpText.Split('\n')[0], help);
            Assert.Contains("--log-format", help);
        }
        // --config is a YAML file wherever it exists; the model size is --model.
        foreach (Command c in root.Subcommands)
        {
            Option? config = c.Options.FirstOrDefault(o => o.Name == "--config");
            if (config is not null) Assert.Contains("YAML", config.Description);
        }
        Assert.Contains(root.Subcommands.Single(c => c.Name == "linprobe").Options, o => o.Name == "--model");
        Assert.Contains(root.Subcommands.Single(c => c.Name == "inspect-step").Options, o => o.Name == "--model");
    }

    [Fact]
    public async Task Json_log_lines_parse_and_carry_utc_time_and_level()
    {
        string bad = dir.File("bad.json");
        File.WriteAllText(bad, "[1, 2");
        string cvmae = Path.Combine(AppContext.BaseDirectory, "cvmae.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { cvmae, "--log-format", "json", "--verbose", "linprobe", "--manifest", bad, "--random-init", "--out", dir.File("o") })
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(ExitCodes.BadInput, p.ExitCode);
        Assert.Equal("", await stdout);                                     // logs go to stderr only
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        var levels = new List<string>();
        foreach (string line in lines)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement r = doc.RootElement;
            DateTime time = DateTime.Parse(r.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            Assert.Equal(DateTimeKind.Utc, time.Kind);
            Assert.InRange(time, DateTime.UtcNow.AddMinutes(-10), DateTime.UtcNow.AddMinutes(1));
            levels.Add(r.GetProperty("level").GetString()!);
            Assert.False(string.IsNullOrEmpty(r.GetProperty("message").GetString()));
        }
        Assert.Contains("error", levels);
        Assert.Contains("debug", levels);                                     // --verbose: the stack trace
        Assert.Contains(lines, l => l.Contains("bad.json", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_lines_have_a_timestamp_and_level_and_quiet_drops_info()
    {
        var at = new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
        Assert.Equal("2026-01-02T03:04:05.678Z WARN  disk almost full", CliLog.FormatLine(at, LogLevel.Warn, "disk almost full", LogFormat.Text));
        using JsonDocument doc = JsonDocument.Parse(CliLog.FormatLine(at, LogLevel.Info, "it's \"quoted\"\nnext", LogFormat.Json));
        Assert.Equal("it's \"quoted\"\nnext", doc.RootElement.GetProperty("message").GetString());
        Assert.Equal("2026-01-02T03:04:05.678Z", doc.RootElement.GetProperty("time").GetString());
    }
}
