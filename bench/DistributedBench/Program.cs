using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Distributed;

// Collectives of the c10d binding between local ranks over Gloo on 127.0.0.1: the median time of
// a scalar all-reduce (latency), of one gradient bucket (AllReduceCoalesced, Avg) at several sizes
// with its algorithm bandwidth (bucket bytes / time), and of AllGatherWithGrad forward + backward.
//   distributed-bench [--world 2] [--threads 1] [--iters 10]
// Without --rank it starts --world copies of itself (ranks 0..world-1) and prints rank 0's table.
var o = Options.Parse(args);
if (o.Rank < 0) return Launch(o);

torch.set_num_threads(o.Threads);
var timeout = TimeSpan.FromSeconds(120);
using var store = new TcpStore("127.0.0.1", o.Port, o.World, isServer: o.Rank == 0, timeout);
using var pg = ProcessGroup.Create("gloo", store, o.Rank, o.World, timeout);
void Report(string what, double[] ms, long bytes = 0)
{
    Array.Sort(ms);
    double median = ms[ms.Length / 2];
    string bw = bytes > 0 ? $", {bytes / (median / 1000) / 1e9:F2} GB/s algorithm bandwidth" : "";
    if (o.Rank == 0) Console.WriteLine($"{what}: median {median:F3} ms (min {ms[0]:F3}, max {ms[^1]:F3}, {ms.Length} runs){bw}");
}
double[] Time(int n, Action step)
{
    for (int i = 0; i < 2; i++) step();   // warm-up
    var ms = new double[n];
    for (int i = 0; i < n; i++)
    {
        pg.Barrier();
        var clock = Stopwatch.StartNew();
        step();
        ms[i] = clock.Elapsed.TotalMilliseconds;
    }
    return ms;
}

if (o.Rank == 0)
    Console.WriteLine($"gloo on 127.0.0.1, {o.World} ranks, {o.Threads} intra-op thread(s) each, libtorch {torch.__version__}");
using (Tensor scalar = torch.ones(1))
    Report("AllReduce of 1 float", Time(o.Iters * 10, () => pg.AllReduce(scalar)));
foreach (long floats in new long[] { 1L << 18, 1L << 22, 1L << 24 })
{
    // A bucket of four gradients of a quarter each, as a trainer flattens them.
    var grads = Enumerable.Range(0, 4).Select(_ => torch.randn(floats / 4)).ToArray();
    Report($"AllReduceCoalesced Avg, 4 tensors, {floats * 4 / 1e6:F0} MB", Time(o.Iters, () => pg.AllReduceCoalesced(grads, ReduceOp.Avg)), floats * 4);
    foreach (Tensor g in grads) g.Dispose();
    using Tensor one = torch.randn(floats);  // the same bytes in one tensor: no flattening, no division
    Report($"AllReduce Sum, 1 tensor, {floats * 4 / 1e6:F0} MB", Time(o.Iters, () => pg.AllReduce(one)), floats * 4);
}
using (Tensor local = torch.randn([64, 256], requires_grad: true))
{
    Report("AllGatherWithGrad [64, 256] -> [world*64, 256], forward + backward", Time(o.Iters * 5, () =>
    {
        using var scope = torch.NewDisposeScope();
        Tensor all = DistributedOps.AllGatherWithGrad(pg, local);
        (all * all).sum().backward();
    }));
}
pg.Barrier();
return 0;

static int Launch(Options o)
{
    var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    int port = ((IPEndPoint)l.LocalEndpoint).Port;
    l.Stop();
    string dll = typeof(Options).Assembly.Location;
    var procs = Enumerable.Range(0, o.World).Select(r =>
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = r != 0 };
        foreach (string a in new[] { dll, "--rank", r.ToString(), "--world", o.World.ToString(), "--port", port.ToString(),
                     "--threads", o.Threads.ToString(), "--iters", o.Iters.ToString() })
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }).ToArray();
    int rc = 0;
    foreach (Process p in procs)
    {
        p.WaitForExit();
        rc |= p.ExitCode;
    }
    return rc;
}

internal sealed record Options(int Rank, int World, int Port, int Threads, int Iters)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(-1, 2, 0, 1, 10);
        for (int i = 0; i < args.Length; i += 2)
        {
            int v = i + 1 < args.Length ? int.Parse(args[i + 1]) : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--rank" => o with { Rank = v },
                "--world" => o with { World = v },
                "--port" => o with { Port = v },
                "--threads" => o with { Threads = v },
                "--iters" => o with { Iters = v },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}
