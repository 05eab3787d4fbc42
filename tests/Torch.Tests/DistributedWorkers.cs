using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>Starts the ranks of a distributed test as processes of tests/DistributedWorker (copied
/// beside the tests) on 127.0.0.1 and waits for all of them, killing any that outlive the limit.</summary>
internal static class DistributedWorkers
{
    /// <summary>A port that was free a moment ago (the ranks' store listens on it).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Runs <paramref name="world"/> ranks of <paramref name="scenario"/>; rank r writes
    /// outputs[r]. Returns each rank's exit code and stderr.</summary>
    public static (int exitCode, string stderr)[] Run(string scenario, int world, string[] outputs, TimeSpan limit, double timeoutSeconds = 30)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "CrossVideoMAE.DistributedWorker.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        int port = FreePort();
        var procs = new Process[world];
        var errs = new Task<string>[world];
        try
        {
            for (int r = 0; r < world; r++)
            {
                var psi = new ProcessStartInfo(dotnet) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                foreach (string a in new[] { dll, scenario, r.ToString(), world.ToString(), port.ToString(), outputs[r] })
                    psi.ArgumentList.Add(a);
                psi.Environment["CVMAE_TEST_DIST_TIMEOUT_S"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                procs[r] = Process.Start(psi) ?? throw new InvalidOperationException("could not start a worker");
                errs[r] = procs[r].StandardError.ReadToEndAsync();
                _ = procs[r].StandardOutput.ReadToEndAsync();
            }
            var deadline = Stopwatch.StartNew();
            foreach (Process p in procs)
            {
                var left = limit - deadline.Elapsed;
                if (left < TimeSpan.Zero || !p.WaitForExit(left))
                    throw new TimeoutException($"a {scenario} worker was still running after {limit.TotalSeconds} s");
            }
            return procs.Select((p, r) => (p.ExitCode, errs[r].Result)).ToArray();
        }
        finally
        {
            foreach (Process? p in procs)
            {
                if (p is null) continue;
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.Dispose();
            }
        }
    }
}
