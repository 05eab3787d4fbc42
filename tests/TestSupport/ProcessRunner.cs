using System.Diagnostics;

namespace CrossVideoMAE.TestSupport;

/// <summary>What a finished program left: its exit code and both output streams.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs a program with an argument list (never a shell string) and returns its stdout.</summary>
public static class ProcessRunner
{
    public static string Run(string program, IEnumerable<string> args, string? stdin = null, string? workDir = null, int timeoutMs = 300_000)
    {
        ProcessResult r = Capture(program, args, stdin, workDir, timeoutMs);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"{program} exited with {r.ExitCode}:\n{r.Stderr}\n{r.Stdout}");
        return r.Stdout;
    }

    /// <summary>Runs a program to its end and returns its exit code and output, whatever the exit code.</summary>
    public static ProcessResult Capture(string program, IEnumerable<string> args, string? stdin = null, string? workDir = null, int timeoutMs = 300_000)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? Environment.CurrentDirectory,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in {timeoutMs} ms");
        }
        return new ProcessResult(p.ExitCode, stdoutTask.Result, stderrTask.Result);
    }

    /// <summary>Runs a program and returns its stdout as bytes (raw frames); a non-zero exit throws with stderr.</summary>
    public static byte[] RunBytes(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stderrTask = p.StandardError.ReadToEndAsync();
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} exited with {p.ExitCode}:\n{stderrTask.Result}");
        return ms.ToArray();
    }
}
