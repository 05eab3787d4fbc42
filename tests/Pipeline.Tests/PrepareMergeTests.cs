using System.Text.Json.Nodes;
using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Prepare;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>Scale-out: parts written into separate folders merge into an index whose relative shard paths
/// resolve from its own folder and feed training; a set of parts that does not belong together is refused.</summary>
[Collection(NightlyCollection.Name)]
public class PrepareMergeTests(NightlyPool pool)
{
    private static async Task<string> PartAsync(NightlyDataset d, string root, int i, int n, ulong seed = 7) =>
        (await new PrepareRunner(d.Options(Path.Combine(root, $"part{i}")) with { Partition = InputPartition.Create(i, n), Seed = seed }).RunAsync()).Index;

    [Fact]
    public async Task Parts_in_separate_folders_merge_into_the_rows_of_a_whole_run_and_feed_training()
    {
        using var dir = new TempDir();
        NightlyDataset d = pool.NewDataset(dir);
        PrepareSummary whole = await new PrepareRunner(d.Options(Path.Combine(dir.Path, "whole"))).RunAsync();
        string[] parts = [await PartAsync(d, dir.Path, 0, 3), await PartAsync(d, dir.Path, 1, 3), await PartAsync(d, dir.Path, 2, 3)];

        // The merge's glob (part*/index-part*.json) finds the current index of each part only, not its version files.
        Assert.Equal(parts.Order(), Enumerable.Range(0, 3).SelectMany(i => Directory.GetFiles(Path.Combine(dir.Path, $"part{i}"), "index-part*.json")).Order());
        Assert.True(File.Exists(Path.Combine(dir.Path, "part0", "v00001.index-part000of003.json")));
        string merged = Path.Combine(dir.Path, "merged", "index.json");
        int rc = await Program.BuildRoot().Parse(["merge-manifests", .. parts, "--out", merged]).InvokeAsync();
        Assert.Equal(0, rc);
        ShardIndex index = await ShardIndexFile.LoadAsync(merged);
        Assert.All(index.Shards, s => Assert.Matches(@"^\.\./part[012]/nightly-part00[012]of003-v00001-(train|val)-\d{5}\.parquet$", s.File));
        Assert.Equal(whole.Rows, index.Totals.Rows);
        Assert.Equal(await NightlyDataset.RowsAsync(whole.Index), await NightlyDataset.RowsAsync(merged));
        Assert.Equal((await ShardIndexFile.LoadAsync(whole.Index)).Splits.Select(kv => (kv.Key, kv.Value.Rows, kv.Value.Videos)),
            index.Splits.Select(kv => (kv.Key, kv.Value.Rows, kv.Value.Videos)));

        // The train split of the merged index feeds training (what `pretrain --feed-only` runs).
        var options = new FeedOptions(BatchSize: 4, new PretrainSettings { Model = { Frames = 4, VideoSize = 32, FrameSize = 32 } }.ToAugmentConfig(), Seed: 1)
        {
            DecodeThreads = 1, Prefetch = 1, WindowShards = 2, Splits = ["train"],
        };
        using TrainFeed feed = await TrainFeed.OpenAsync(merged, options);
        Assert.Equal(index.Splits["train"].Rows, feed.Order.Total);
        int batches = 0;
        await foreach (FeedBatch b in feed.EpochAsync(0, 0, feed.BatchesPerEpoch))
            using (b)
            {
                Assert.Equal([4, 3, 4, 32, 32], b.View1!.shape);
                batches++;
            }
        Assert.Equal(feed.BatchesPerEpoch, batches);
        Assert.True(batches >= 1);
    }

    [Fact]
    public async Task A_set_of_parts_that_does_not_belong_together_is_refused_with_the_reason()
    {
        using var dir = new TempDir();
        NightlyDataset d = pool.NewDataset(dir);
        string p0 = await PartAsync(d, dir.Path, 0, 3), p1 = await PartAsync(d, dir.Path, 1, 3), p2 = await PartAsync(d, dir.Path, 2, 3);
        string otherSeed = await PartAsync(d, Path.Combine(dir.Path, "seed8"), 1, 3, seed: 8);
        string ofTwo = await PartAsync(d, Path.Combine(dir.Path, "two"), 1, 2);
        string outPath = Path.Combine(dir.Path, "merged", "index.json");

        async Task Refused(string[] set, string reason)
        {
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => ManifestMerger.MergeAsync(set, outPath));
            Assert.Contains(reason, e.Message);
        }
        await Refused([p0, p2], "part 1 of 3 is missing");
        await Refused([p0, p1, p2, p0], "part 0 of 3 is given twice");
        await Refused([p0, otherSeed, p2], "prepare settings differ");
        await Refused([p0, otherSeed, p2], "seed (7 before, 8 now)");
        await Refused([p0, ofTwo, p2], "belongs to another run");

        // The inputs of the part with most inputs (k) presented as part k+1: the partitions overlap.
        string[] all = [p0, p1, p2];
        var loaded = new List<ShardIndex>();
        foreach (string p in all) loaded.Add(await ShardIndexFile.LoadAsync(p));
        int k = Enumerable.Range(0, 3).MaxBy(i => loaded[i].Inputs.Count);
        JsonNode forged = JsonNode.Parse(await File.ReadAllTextAsync(all[k]))!;
        forged["partition"]!["index"] = (k + 1) % 3;
        string forgedPath = Path.Combine(Path.GetDirectoryName(all[k])!, "forged.json");
        await File.WriteAllTextAsync(forgedPath, forged.ToJsonString());
        await Refused([all[k], forgedPath, all[(k + 2) % 3]], "the parts' partitions overlap");

        // A shard whose bytes changed after its part was written, then a shard that is gone.
        string shard = ShardLocation.ResolveFromIndex(all[k], loaded[k].Shards[0]);
        byte[] bytes = await File.ReadAllBytesAsync(shard);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(shard, bytes);
        await Refused(all, "failed its SHA-256 check");
        File.Delete(shard);
        await Refused(all, "does not exist");
        Assert.False(File.Exists(outPath));
    }
}
