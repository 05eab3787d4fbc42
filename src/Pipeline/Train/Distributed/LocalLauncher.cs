using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>
/// <c>cvmae pretrain ... --nproc-per-node N</c>: starts N ranks of the same command on this machine as
/// child processes with RANK, WORLD_SIZE = N, LOCAL_RANK, MASTER_ADDR = 127.0.0.1 and MASTER_PORT (the
/// parent's MASTER_PORT, else a free port) set, waits for them, forwards Ctrl+C / SIGTERM (as SIGINT)
/// to every rank, and when one rank fails gives the others <see cref="Grace"/> to stop on their own
/// (a collective with a dead peer fails fast) before killing them. The exit code is 0 when every rank
/// succeeded, else the first failing rank's (named on stderr).
/// </summary>
public sealed class LocalLauncher(ChildCommand command, TextWriter error, string name = "cvmae")
{
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra environment for every rank (tests set CVMAE_THREADS this way).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public async Task<int> RunAsync(int ranks, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        if (ranks < 1) throw new ArgumentException($"--nproc-per-node must be at least 1, got {ranks}");
        int port = System.Environment.GetEnvironmentVariable("MASTER_PORT") is { } p && int.TryParse(p, out int given) ? given : FreePort();
        var children = new Process[ranks];
        try
        {
            for (int r = 0; r < ranks; r++) children[r] = Start(r, ranks, port, arguments);
            return await WaitAsync(children, ct).ConfigureAwait(false);
        }
        finally
        {
            foreach (Process? c in children)
            {
                if (c is null) continue;
                if (!c.HasExited) c.Kill(entireProcessTree: true);
                c.Dispose();
            }
        }
    }

    private Process Start(int rank, int world, int port, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(command.FileName) { UseShellExecute = false };
        foreach (string a in command.PrefixArguments) info.ArgumentList.Add(a);
        foreach (string a in arguments) info.ArgumentList.Add(a);
        info.Environment["RANK"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["WORLD_SIZE"] = world.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["LOCAL_RANK"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["MASTER_ADDR"] = "127.0.0.1";
        info.Environment["MASTER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (k, v) in Environment) info.Environment[k] = v;
        return Process.Start(info) ?? throw new InvalidOperationException($"rank {rank}: could not start {command.FileName}");
    }

    private async Task<int> WaitAsync(Process[] children, CancellationToken ct)
    {
        var exits = children.Select((c, r) => c.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => r, TaskScheduler.Default)).ToList();
        using CancellationTokenRegistration forward = ct.Register(() =>
        {
            foreach (Process c in children) Interrupt(c);
        });
        var pending = new List<Task<int>>(exits);
        int? failed = null;
        int failedCode = 0;
        while (pending.Count > 0)
        {
            Task<int> done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            int rank = await done.ConfigureAwait(false);
            int code = children[rank].ExitCode;
            if (code == 0 || failed is not null) continue;
            failed = rank;
            failedCode = code;
            error.WriteLine($"{name}: rank {rank} exited with code {code}; waiting up to {Grace.TotalSeconds:F0} s for the other ranks to stop");
            Task all = Task.WhenAll(pending);
            if (await Task.WhenAny(all, Task.Delay(Grace, CancellationToken.None)).ConfigureAwait(false) != all)
                foreach (Task<int> t in pending)
                {
                    int other = exits.IndexOf(t);
                    error.WriteLine($"{name}: rank {other} did not stop within {Grace.TotalSeconds:F0} s; killing it");
                    children[other].Kill(entireProcessTree: true);
                }
        }
        if (failed is int f)
        {
            error.WriteLine($"{name}: failed: rank {f} of {children.Length} exited with code {failedCode}");
            return failedCode;
        }
        return ct.IsCancellationRequested ? 130 : 0;
    }

    // SIGINT, as Ctrl+C on a terminal would send it, so the rank cancels and exits cleanly.
    private static void Interrupt(Process p)
    {
        try
        {
            if (p.HasExited) return;
            if (OperatingSystem.IsWindows()) p.Kill(entireProcessTree: true);
            else _ = kill(p.Id, SigInt);
        }
        catch (InvalidOperationException) { /* already gone */ }
    }

    private const int SigInt = 2;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
