using System.Diagnostics;

namespace CrossVideoMAE.TestSupport;

/// <summary>Runs a program with an argument list (never a shell string) and returns its stdout.</summary>
public static class ProcessRunner
{
    public static string Run(string program, IEnumerable<string> args, string? stdin = null, string? workDir = null, int timeoutMs = 300_000)
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
        string stdout = stdoutTask.Result, stderr = stderrTask.Result;
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{program} exited with {p.ExitCode}:\n{stderr}\n{stdout}");
        return stdout;
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
