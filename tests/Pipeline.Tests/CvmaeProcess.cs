using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>Starts `cvmae` (the cvmae.dll copied beside the tests) as a child process with an argument
/// list and extra environment variables, as a launcher would.</summary>
internal sealed class CvmaeProcess : IDisposable
{
    private readonly Process process;
    private readonly Task<string> stdout, stderr;

    public CvmaeProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cvmae.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        // One intra-op thread per rank: two ranks share the machine's cores.
        psi.Environment["CVMAE_THREADS"] = "1";
        foreach (string name in new[] { "RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID" })
            psi.Environment.Remove(name);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        process = Process.Start(psi) ?? throw new InvalidOperationException("could not start cvmae");
        stdout = process.StandardOutput.ReadToEndAsync();
        stderr = process.StandardError.ReadToEndAsync();
    }

    public int Id => process.Id;
    public bool HasExited => process.HasExited;

    /// <summary>Waits up to <paramref name="limit"/>; returns (exit code, stdout, stderr), or throws when it still runs.</summary>
    public (int Code, string Stdout, string Stderr) Wait(TimeSpan limit)
    {
        if (!process.WaitForExit(limit))
            throw new TimeoutException($"cvmae still ran after {limit.TotalSeconds} s; stderr so far unavailable");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Kill() => process.Kill(entireProcessTree: true);

    public static (int Code, string Stdout, string Stderr) Run(IEnumerable<string> args, TimeSpan limit, IReadOnlyDictionary<string, string>? env = null)
    {
        using var p = new CvmaeProcess(args, env);
        return p.Wait(limit);
    }

    /// <summary>A port that was free a moment ago.</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>The environment of rank <paramref name="rank"/> of <paramref name="world"/> on 127.0.0.1:<paramref name="port"/>.</summary>
    public static Dictionary<string, string> RankEnv(int rank, int world, int port) => new()
    {
        ["RANK"] = rank.ToString(), ["WORLD_SIZE"] = world.ToString(), ["LOCAL_RANK"] = rank.ToString(),
        ["MASTER_ADDR"] = "127.0.0.1", ["MASTER_PORT"] = port.ToString(), ["CVMAE_DIST_TIMEOUT_S"] = "60",
    };

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
