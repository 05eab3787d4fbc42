using CrossVideoMAE.Pipeline.Prepare;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public class InputPartitionTests
{
    [Fact]
    public void Parts_are_disjoint_cover_everything_and_are_balanced()
    {
        var ids = Enumerable.Range(0, 3000).Select(i => $"video_{i}").ToList();
        var parts = Enumerable.Range(0, 4).Select(i => InputPartition.Create(i, 4)).ToList();
        foreach (string id in ids) Assert.Equal(1, parts.Count(p => p.Contains(id)));
        foreach (var p in parts)
        {
            int n = ids.Count(p.Contains);
            Assert.InRange(n, 600, 900);  // 750 expected
        }
    }

    [Fact]
    public void Bad_arguments_get_clear_errors()
    {
        Assert.Contains("--shard-index", Assert.Throws<ArgumentException>(() => InputPartition.Create(4, 4)).Message);
        Assert.Contains("--num-shards", Assert.Throws<ArgumentException>(() => InputPartition.Create(0, 0)).Message);
    }
}
