using System.CommandLine;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>What a training command does with <c>--nproc-per-node</c> and the launcher's environment:
/// start the local ranks (<see cref="LocalLauncher"/>), or join the group the environment describes.</summary>
public static class RankLaunch
{
    public const string NprocOption = "--nproc-per-node";

    public static Option<int> CreateOption() => new(NprocOption)
    {
        Description = "Start N data-parallel ranks on this machine (Gloo on CPU, NCCL on CUDA; the batch size is the global batch). " +
                      "Without it, a process whose environment sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT " +
                      "(torchrun --no-python, a Kubernetes PyTorchJob) or SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID with MASTER_ADDR " +
                      "(srun) joins that group. CVMAE_DIST_TIMEOUT_S bounds the rendezvous and every collective (default 300).",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>With N &gt; 1 ranks asked for, starts them and returns the launcher's exit code; else null (train here).</summary>
    public static async Task<int?> LaunchIfAskedAsync(ParseResult r, Option<int> nproc, RankEnvironment env, CancellationToken ct)
    {
        int ranks = r.GetValue(nproc);
        if (ranks < 1) throw new ArgumentException($"{NprocOption} must be at least 1, got {ranks}");
        if (ranks == 1) return null;
        if (env.Distributed)
            throw new ArgumentException($"{NprocOption} starts its own ranks, but this process is already rank {env.Rank} of {env.WorldSize} ({env.Source})");
        return await new LocalLauncher(ChildCommand.Current(), Console.Error, r.CommandResult.Command.Name).RunAsync(ranks, ChildArguments(r), ct).ConfigureAwait(false);
    }

    /// <summary>The group <paramref name="env"/> describes (NCCL for a CUDA device, else Gloo), or the single process.</summary>
    public static IRankGroup Join(RankEnvironment env, Device device) =>
        env.Distributed ? C10dRankGroup.Join(env, device, C10dRankGroup.Timeout()) : SingleRank.Instance;

    /// <summary>On CUDA without an index, each rank of a machine takes its own GPU (cuda:LOCAL_RANK).</summary>
    public static Device RankDevice(Device device, RankEnvironment env) =>
        device.Type == DeviceType.CUDA && device.Index < 0 && env.Distributed ? Device.CUDA(env.LocalRank) : device;

    // The command line each rank runs: this one without --nproc-per-node and its value.
    private static List<string> ChildArguments(ParseResult r)
    {
        var args = new List<string>();
        var tokens = r.Tokens;
        for (int i = 0; i < tokens.Count; i++)
        {
            string v = tokens[i].Value;
            if (v == NprocOption) { i++; continue; }
            if (v.StartsWith(NprocOption + "=", StringComparison.Ordinal)) continue;
            args.Add(v);
        }
        return args;
    }
}
