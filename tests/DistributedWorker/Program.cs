// One rank of the distributed tests: joins a Gloo group on 127.0.0.1 and runs a scenario.
//   collectives RANK WORLD PORT OUT  every collective on known inputs; results to OUT (safetensors)
//   die RANK WORLD PORT OUT          rank 1 exits after a barrier; rank 0 then all-reduces and writes
//                                    to OUT (text) the error and the seconds until it came
// Exit code 0 on success, 1 with the error on stderr.
using System.Diagnostics;
using CrossVideoMAE.DistributedWorker;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Distributed;

if (args.Length != 5)
{
    Console.Error.WriteLine("usage: worker collectives|die RANK WORLD PORT OUT");
    return 2;
}
string scenario = args[0];
int rank = int.Parse(args[1]), world = int.Parse(args[2]), port = int.Parse(args[3]);
string output = args[4];
torch.set_num_threads(1);
var timeout = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("CVMAE_TEST_DIST_TIMEOUT_S") ?? "30"));

try
{
    using var store = new TcpStore("127.0.0.1", port, world, isServer: rank == 0, timeout);
    using var pg = ProcessGroup.Create("gloo", store, rank, world, timeout);
    switch (scenario)
    {
        case "collectives":
            Scenarios.Collectives(store, pg, output);
            break;
        case "die":
            pg.Barrier();
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
