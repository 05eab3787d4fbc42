using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Scripts.Tests;

/// <summary>run.ps1's verbs under PowerShell, against ./run and the program run directly.</summary>
public class RunPs1Tests
{
    [Fact]
    public void Cli_version_prints_what_the_program_prints()
    {
        ProcessResult direct = Pwsh.Cvmae("--version");
        ProcessResult viaScript = Pwsh.RunPs1("cli", "--version");
        Assert.Equal(0, direct.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(direct.Stdout));
        Assert.True(viaScript.ExitCode == 0, $"run.ps1 cli --version exited {viaScript.ExitCode}:\n{viaScript.Stderr}");
        Assert.Equal(direct.Stdout, viaScript.Stdout);
    }

    [Fact]
    public void Cli_doctor_finds_every_dependency_as_the_program_does()
    {
        ProcessResult direct = Pwsh.Cvmae("doctor");
        ProcessResult viaScript = Pwsh.RunPs1("cli", "doctor");
        Assert.True(direct.ExitCode == 0, $"cvmae doctor exited {direct.ExitCode}:\n{direct.Stderr}\n{direct.Stdout}");
        Assert.True(viaScript.ExitCode == 0, $"run.ps1 cli doctor exited {viaScript.ExitCode}:\n{viaScript.Stderr}\n{viaScript.Stdout}");
        Assert.Contains("libtorch", viaScript.Stdout);
        Assert.Equal(direct.Stdout, viaScript.Stdout);
    }

    [Fact]
    public void A_failing_cli_call_exits_with_the_programs_code()
    {
        // prepare without its required options is a usage error of the program, not of the script.
        ProcessResult direct = Pwsh.Cvmae("prepare");
        ProcessResult viaScript = Pwsh.RunPs1("cli", "prepare");
        Assert.NotEqual(0, direct.ExitCode);
        Assert.Equal(direct.ExitCode, viaScript.ExitCode);
    }

    [Fact]
    public void Help_lists_the_same_verbs_as_run()
    {
        ProcessResult ps = Pwsh.RunPs1("help");
        ProcessResult bash = Pwsh.RunBash("help");
        Assert.Equal(0, ps.ExitCode);
        Assert.Equal(0, bash.ExitCode);
        string[] psVerbs = Verbs(ps.Stdout, "./run.ps1"), bashVerbs = Verbs(bash.Stdout, "./run");
        Assert.Equal(["setup", "test", "demo", "cli"], bashVerbs);
        Assert.Equal(bashVerbs, psVerbs);
    }

    [Fact]
    public void An_unknown_verb_is_a_usage_error_in_both_scripts()
    {
        ProcessResult ps = Pwsh.RunPs1("no-such-verb");
        ProcessResult bash = Pwsh.RunBash("no-such-verb");
        Assert.Equal(2, bash.ExitCode);
        Assert.Equal(bash.ExitCode, ps.ExitCode);
        Assert.Contains("unknown verb 'no-such-verb'", ps.Stderr);
    }

    /// <summary>The verb named after the script on each help line ("./run setup   install ...").</summary>
    private static string[] Verbs(string help, string script) =>
        help.Split('\n')
            .Select(l => l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length >= 2 && w[0] == script)
            .Select(w => w[1])
            .ToArray();
}
