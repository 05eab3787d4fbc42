using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests.Shards;

public sealed class ShardWriterSplitTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_row_of_another_split_starts_a_new_shard_that_records_its_split()
    {
        var layout = new ShardLayout(16, 1);
        string[] splits = ["train", "train", "val", "val", "train"];
        var finished = new List<ShardInfo?>();
        ShardInfo[] shards;
        await using (var writer = new ShardWriter(_dir.Path, "mixed", layout))
        {
            for (int v = 0; v < splits.Length; v++) finished.Add(await writer.AppendAsync(ShardTestRows.Row(v, 0, layout) with { Split = splits[v] }));
            await writer.CompleteAsync();
            shards = writer.Completed.ToArray();
        }
        Assert.Equal([null, null, shards[0], null, shards[1]], finished);
        Assert.Equal([("train", 2L), ("val", 2L), ("train", 1L)], shards.Select(s => (s.Split, s.Rows)));
        foreach (ShardInfo s in shards)
        {
            var read = DuckDb.Query($"SELECT DISTINCT split FROM {DuckDb.Literal(_dir.File(s.File))}");
            Assert.Equal([s.Split], read.Select(r => r.GetProperty("split").GetString()));
        }
    }
}
