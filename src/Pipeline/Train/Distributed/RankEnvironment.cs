using System.Globalization;

namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>
/// Where this process sits in a data-parallel job, read from the environment a launcher sets:
/// <list type="bullet">
/// <item>torchrun (<c>torchrun --no-python</c>), a Kubernetes PyTorchJob, or <c>cvmae pretrain --nproc-per-node N</c>:
/// RANK, WORLD_SIZE, LOCAL_RANK (0 when absent), MASTER_ADDR, MASTER_PORT;</item>
/// <item>Slurm (<c>srun</c>): SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, with MASTER_ADDR set by the batch
/// script (e.g. the first host of SLURM_JOB_NODELIST) and MASTER_PORT.</item>
/// </list>
/// RANK/WORLD_SIZE win over the Slurm variables. MASTER_PORT defaults to <see cref="DefaultPort"/>.
/// Without either set (or with a world of one) the process trains alone.
/// </summary>
public sealed record RankEnvironment(int Rank, int WorldSize, int LocalRank, string MasterAddr, int MasterPort, string Source)
{
    public const int DefaultPort = 29500;

    /// <summary>The variables this reads, for --help.</summary>
    public static readonly string[] Variables =
        ["RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"];

    /// <summary>The program's own tuning variables a launch file may set: intra-op threads per rank, and the
    /// bound (seconds) on the rendezvous and on every collective.</summary>
    public static readonly string[] TuningVariables = ["CVMAE_THREADS", "CVMAE_DIST_TIMEOUT_S"];

    public static RankEnvironment Single { get; } = new(0, 1, 0, "127.0.0.1", DefaultPort, "single process");

    public bool Distributed => WorldSize > 1;

    public static RankEnvironment FromProcess() =>
        Read(name => Environment.GetEnvironmentVariable(name));

    /// <summary>Reads the variables through <paramref name="get"/>; a bad or missing value is an ArgumentException naming the variable.</summary>
    public static RankEnvironment Read(Func<string, string?> get)
    {
        string? rank = get("RANK"), world = get("WORLD_SIZE");
        string source;
        int r, w, local;
        if (rank is not null || world is not null)
        {
            source = "RANK/WORLD_SIZE";
            r = Int(get, "RANK", required: true, min: 0);
            w = Int(get, "WORLD_SIZE", required: true, min: 1);
            local = Int(get, "LOCAL_RANK", required: false, min: 0);
        }
        else if (get("SLURM_PROCID") is not null && get("SLURM_NTASKS") is not null)
        {
            source = "Slurm";
            r = Int(get, "SLURM_PROCID", required: true, min: 0);
            w = Int(get, "SLURM_NTASKS", required: true, min: 1);
            local = Int(get, "SLURM_LOCALID", required: false, min: 0);
        }
        else return Single;

        if (r >= w) throw new ArgumentException($"{(source == "Slurm" ? "SLURM_PROCID" : "RANK")}={r} is not below the world size {w}");
        if (w == 1) return Single with { Source = source };
        string addr = get("MASTER_ADDR") is { Length: > 0 } a ? a.Trim()
            : throw new ArgumentException($"{source} says this is rank {r} of {w} but MASTER_ADDR is not set: set it to the host of rank 0" +
                                          (source == "Slurm" ? " (e.g. MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1))" : ""));
        int port = get("MASTER_PORT") is null ? DefaultPort : Int(get, "MASTER_PORT", required: true, min: 1);
        if (port > 65535) throw new ArgumentException($"MASTER_PORT={port} is not a TCP port");
        return new RankEnvironment(r, w, local, addr, port, source);
    }

    private static int Int(Func<string, string?> get, string name, bool required, int min)
    {
        string? text = get(name);
        if (text is null)
        {
            if (required) throw new ArgumentException($"{name} is not set");
            return 0;
        }
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < min)
            throw new ArgumentException($"{name}='{text}' is not an integer >= {min}");
        return v;
    }
}
