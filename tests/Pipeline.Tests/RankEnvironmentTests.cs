using CrossVideoMAE.Pipeline.Train.Distributed;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public class RankEnvironmentTests
{
    private static RankEnvironment Read(params (string Name, string Value)[] vars)
    {
        var d = vars.ToDictionary(v => v.Name, v => v.Value);
        return RankEnvironment.Read(n => d.GetValueOrDefault(n));
    }

    [Fact]
    public void Torchrun_and_pytorchjob_variables_describe_the_rank()
    {
        var e = Read(("RANK", "3"), ("WORLD_SIZE", "8"), ("LOCAL_RANK", "1"), ("MASTER_ADDR", "node-0"), ("MASTER_PORT", "23456"));
        Assert.Equal(new RankEnvironment(3, 8, 1, "node-0", 23456, "RANK/WORLD_SIZE"), e);
        // A PyTorchJob sets no LOCAL_RANK (one process per pod), and MASTER_PORT may be left to its default.
        e = Read(("RANK", "1"), ("WORLD_SIZE", "2"), ("MASTER_ADDR", "job-master-0"));
        Assert.Equal((1, 2, 0, RankEnvironment.DefaultPort), (e.Rank, e.WorldSize, e.LocalRank, e.MasterPort));
    }

    [Fact]
    public void Slurm_variables_describe_the_rank_and_rank_variables_win()
    {
        var e = Read(("SLURM_PROCID", "5"), ("SLURM_NTASKS", "8"), ("SLURM_LOCALID", "1"), ("MASTER_ADDR", "gpu-01"));
        Assert.Equal(new RankEnvironment(5, 8, 1, "gpu-01", RankEnvironment.DefaultPort, "Slurm"), e);
        e = Read(("SLURM_PROCID", "5"), ("SLURM_NTASKS", "8"), ("RANK", "0"), ("WORLD_SIZE", "2"), ("MASTER_ADDR", "a"));
        Assert.Equal((0, 2), (e.Rank, e.WorldSize));
    }

    [Fact]
    public void Nothing_set_or_a_world_of_one_is_a_single_process()
    {
        Assert.False(Read().Distributed);
        Assert.False(Read(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "1")).Distributed);
    }

    [Theory]
    [InlineData("MASTER_ADDR is not set", "RANK", "0", "WORLD_SIZE", "2", "", "")]
    [InlineData("scontrol show hostnames", "SLURM_PROCID", "0", "SLURM_NTASKS", "2", "", "")]
    [InlineData("RANK=2 is not below the world size 2", "RANK", "2", "WORLD_SIZE", "2", "MASTER_ADDR", "h")]
    [InlineData("WORLD_SIZE='two'", "RANK", "0", "WORLD_SIZE", "two", "MASTER_ADDR", "h")]
    [InlineData("WORLD_SIZE is not set", "RANK", "0", "MASTER_ADDR", "h", "", "")]
    public void Bad_or_missing_values_are_errors_naming_the_variable(string message, string n1, string v1, string n2, string v2, string n3, string v3)
    {
        var vars = new List<(string, string)> { (n1, v1), (n2, v2) };
        if (n3 != "") vars.Add((n3, v3));
        var e = Assert.Throws<ArgumentException>(() => Read(vars.ToArray()));
        Assert.Contains(message, e.Message);
    }
}
