// One rank of the distributed tests: joins a Gloo group on 127.0.0.1 and runs a scenario.
//   collectives RANK WORLD PORT OUT  every collective on known inputs; results to OUT (safetensors)
//   die RANK WORLD PORT OUT          rank 1 exits after a barrier; rank 0 then all-reduces and writes
//                                    to OUT (text) the error and the seconds until it came
//   stall RANK WORLD PORT OUT        as die, but rank 1 stays alive without joining the all-reduce
//                                    (it exits 2 s after the group's timeout)
//   mismatch RANK WORLD PORT OUT     rank r all-gathers [r + 1, 2]; the error (or "no error") to OUT
//   reducer RANK WORLD PORT OUT      the gradient reducer against the blocking average; results to OUT
// The group's timeout is CVMAE_TEST_DIST_TIMEOUT_S (default 30 s); the store's is at least 60 s.
// Exit code 0 on success, 1 with the error on stderr.
using System.Diagnostics;
using CrossVideoMAE.DistributedWorker;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Distributed;

if (args.Length != 5)
{
    Console.Error.WriteLine("usage: worker collectives|die|stall|mismatch|reducer RANK WORLD PORT OUT");
    return 2;
}
string scenario = args[0];
int rank = int.Parse(args[1]), world = int.Parse(args[2]), port = int.Parse(args[3]);
string output = args[4];
torch.set_num_threads(1);
var timeout = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("CVMAE_TEST_DIST_TIMEOUT_S") ?? "30"));

try
{
    TimeSpan storeTimeout = timeout > TimeSpan.FromSeconds(60) ? timeout : TimeSpan.FromSeconds(60);
    using var store = new TcpStore("127.0.0.1", port, world, isServer: rank == 0, storeTimeout);
    using var pg = ProcessGroup.Create("gloo", store, rank, world, timeout);
    switch (scenario)
    {
        case "collectives":
            Scenarios.Collectives(store, pg, output);
            break;
        case "die":
        case "stall":
            pg.Barrier();
            if (rank != 0 && scenario == "stall") Thread.Sleep(timeout + TimeSpan.FromSeconds(2));
            if (rank != 0) Environment.Exit(0); // no cleanup: the sockets close as a crash closes them
            Thread.Sleep(200);
            var clock = Stopwatch.StartNew();
            string message = "no error";
            try
            {
                using Tensor t = torch.ones(4);
                pg.AllReduce(t);
            }
            catch (TorchException e)
            {
                message = e.Message;
            }
            File.WriteAllText(output, $"{clock.Elapsed.TotalSeconds:F3}\n{message}\n");
            break;
        case "mismatch":
            string got = "no error";
            try
            {
                using Tensor rows = torch.ones([rank + 1, 2]);
                using Tensor all = pg.AllGather(rows);
            }
            catch (TorchException e)
            {
                got = e.Message;
            }
            File.WriteAllText(output, got + "\n");
            break;
        case "reducer":
            Scenarios.Reducer(store, pg, output, timeout);
            break;
        default:
            throw new ArgumentException($"unknown scenario '{scenario}'");
    }
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"rank {rank}: {e}");
    return 1;
}
