using System.Text.RegularExpressions;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Scripts.Tests;

/// <summary>run.ps1 mirrors ./run: it names the same Debian packages for the program and for the tests.</summary>
public partial class EntryScriptPackageListTests
{
    [Fact]
    public void Run_ps1_names_the_same_apt_packages_as_run()
    {
        string bash = File.ReadAllText(Path.Combine(RepoPaths.Root, "run"));
        string ps = File.ReadAllText(Path.Combine(RepoPaths.Root, "run.ps1"));
        foreach ((string bashName, string psName) in new[] { ("APT_RUNTIME", "$AptRuntime"), ("APT_TEST", "$AptTest") })
        {
            string[] inBash = BashArray(bash, bashName), inPs = PsArray(ps, psName);
            Assert.NotEmpty(inBash);
            Assert.Equal(inBash, inPs);
        }
        // The tests' references, each a package ./run installs.
        Assert.Subset(BashArray(bash, "APT_TEST").ToHashSet(), new HashSet<string> { "python3-torch", "python3-pil", "python3-numpy", "chromium" });
    }

    private static string[] BashArray(string script, string name)
    {
        Match m = Regex.Match(script, $@"^{name}=\(([^)]*)\)", RegexOptions.Multiline);
        Assert.True(m.Success, $"./run has no {name}=(...) line");
        return m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string[] PsArray(string script, string name)
    {
        Match m = Regex.Match(script, $@"^{Regex.Escape(name)} = @\(([^)]*)\)", RegexOptions.Multiline);
        Assert.True(m.Success, $"run.ps1 has no {name} = @(...) line");
        return QuotedWord().Matches(m.Groups[1].Value).Select(q => q.Groups[1].Value).ToArray();
    }

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex QuotedWord();
}
