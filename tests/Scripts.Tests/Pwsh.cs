using CrossVideoMAE.TestSupport;

namespace CrossVideoMAE.Scripts.Tests;

/// <summary>Runs the repository's scripts and program the way a user does, from the repository root.</summary>
internal static class Pwsh
{
    /// <summary>run.ps1 with these arguments under the pinned PowerShell (.config/dotnet-tools.json).</summary>
    public static ProcessResult RunPs1(params string[] args) =>
        ProcessRunner.Capture("dotnet",
            ["tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-File", Path.Combine(RepoPaths.Root, "run.ps1"), .. args],
            workDir: RepoPaths.Root);

    /// <summary>The bash entry script ./run with these arguments.</summary>
    public static ProcessResult RunBash(params string[] args) =>
        ProcessRunner.Capture("bash", [Path.Combine(RepoPaths.Root, "run"), .. args], workDir: RepoPaths.Root);

    /// <summary>The cvmae program itself (the Release build run.ps1 starts).</summary>
    public static ProcessResult Cvmae(params string[] args) =>
        ProcessRunner.Capture("dotnet", [Path.Combine(RepoPaths.Root, "src", "Pipeline", "bin", "Release", "net10.0", "cvmae.dll"), .. args],
            workDir: RepoPaths.Root);
}
