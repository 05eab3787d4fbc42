using System.Diagnostics;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>
/// Debian's headless Chromium for the report tests: each run gets a fresh profile folder and no network
/// services; arguments go through an argument list. Returns the exit code, stdout and stderr.
/// </summary>
internal static class HeadlessChromium
{
    public const string Program = "/usr/bin/chromium";

    public static (int ExitCode, string Stdout, string Stderr) Run(string workDir, params string[] args)
    {
        if (!File.Exists(Program)) throw new InvalidOperationException($"{Program} is missing: ./run setup installs Debian's chromium for the report tests");
        string profile = Path.Combine(workDir, "chromium-profile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var psi = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir };
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profile}" }.Concat(args))
            psi.ArgumentList.Add(a);
        using Process p = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Program}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Program} did not finish in 120 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
