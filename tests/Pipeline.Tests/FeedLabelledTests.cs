using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Stages.Feed;
using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>
/// The train feed's labelled (fine-tuning) mode on <see cref="FeedTestShards"/> (12 clips, label i % 3):
/// its u² and soft targets against the full composer run by hand on the same decoded rows, ranks
/// against one rank, and labels outside the class count.
/// </summary>
public class FeedLabelledTests
{
    private static FeedOptions Options(bool mix, int repeats = 2, int world = 1, int rank = 0, int classes = 3) =>
        new(BatchSize: 4, new PretrainSettings { Model = { Frames = 4, VideoSize = 32, FrameSize = 32 } }.ToAugmentConfig() with
        {
            NumClasses = classes, Mixup = mix, CutMix = mix,
        }, Seed: 11)
        {
            DecodeThreads = 2, Prefetch = 1, WindowShards = 2, Labelled = true, Repeats = repeats, WorldSize = world, Rank = rank,
        };

    private static int[] Bits(Tensor x) => x.contiguous().ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();

    private static async Task<List<(long First, long Index, int[] U2, int[] Targets)>> Collect(string index, FeedOptions options, int epoch, long count)
    {
        using TrainFeed feed = await TrainFeed.OpenAsync(index, options);
        var list = new List<(long, long, int[], int[])>();
        await foreach (FeedBatch b in feed.EpochAsync(epoch, 0, count))
            using (b)
            {
                int rows = options.LocalBatch * options.Repeats;
                Assert.True(b.IsLabelled);
                Assert.Equal(options.LocalBatch, b.Size);
                Assert.Equal(rows, b.Rows);
                Assert.Equal([rows, 3, 4, 32, 32], b.View2.shape);
                Assert.Equal([rows, 3], b.Targets!.shape);
                Assert.Equal(ScalarType.Float32, b.Targets.dtype);
                Assert.Null(b.View1);
                Assert.Null(b.Frames);
                Assert.Null(b.FrameIndices);
                Assert.Contains("labelled", Assert.Throws<InvalidOperationException>(() => b.ToModelBatch()).Message);
                list.Add((b.FirstSample, b.BatchIndex, Bits(b.View2), Bits(b.Targets)));
            }
        return list;
    }

    [Fact]
    public async Task Labelled_batches_are_the_composers_u2_and_targets_of_each_sample_repeated_with_its_own_draws()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.Path, oneSize: true);
        FeedOptions options = Options(mix: true, repeats: 2);
        const int epoch = 1, r = 2;
        var got = await Collect(index, options, epoch, count: 3);
        Assert.Equal([0L, 4, 8], got.Select(x => x.First));

        // By hand: the epoch's rows in order, decoded as the feed decodes, four at a time; each clip twice,
        // copy k of sample i drawing from ForSample(seed, epoch, (first + i) * R + k); the whole composer run.
        using TrainFeed feed = await TrainFeed.OpenAsync(index, options);
        var reader = new ShardWindowReader(dir.Path, feed.Index.Shards, 3);
        using var decoder = new ShardRowDecoder(JpegDecoderOptions.Fast);
        var augmenter = new CrossVideoViewAugmenter(options.Augment);
        var order = feed.Order.Epoch(epoch).ToList();
        for (int k = 0; k < 3; k++)
        {
            using var scope = torch.NewDisposeScope();
            var samples = new List<DecodedSample>();
            for (int i = 0; i < 4; i++)
            {
                (int shard, long row) = order[4 * k + i];
                samples.Add(decoder.Decode(await reader.GetAsync(shard, row, default), reader.PathOf(shard)));
            }
            Tensor clips = torch.stack(samples.Select(s => s.Clip).ToArray(), 0).repeat_interleave(r, 0);    // [8, T, H, W, 3]
            Tensor frames = torch.stack(samples.Select(s => s.Frames).ToArray(), 0).repeat_interleave(r, 0); // [8, 1, H, W, 3]
            long[] labels = samples.SelectMany(s => Enumerable.Repeat((long)s.Label, r)).ToArray();
            Assert.Equal(samples.Select(s => (long)(int.Parse(s.VideoId[3..]) % 3)), labels.Where((_, j) => j % r == 0));
            AugmentRandom[] draws = Enumerable.Range(0, 4 * r).Select(j => AugmentRandom.ForSample(11, epoch, (4L * k + j / r) * r + j % r)).ToArray();
            using AugmentedViews want = augmenter.Apply(clips, frames, torch.tensor(labels, 4 * r), AugmentRandom.ForBatch(11, epoch, k), draws);
            Assert.True(want.Plan.Mix.Active, $"batch {k} should be mixed");
            Assert.Equal(Bits(want.U2), got[k].U2);
            Assert.Equal(Bits(want.Targets!), got[k].Targets);
            foreach (DecodedSample s in samples) s.Dispose();
        }
        // Each copy is augmented on its own.
        int rowLength = got[0].U2.Length / (4 * r);
        Assert.NotEqual(got[0].U2[..rowLength], got[0].U2[rowLength..(2 * rowLength)]);
    }

    [Fact]
    public async Task Two_ranks_labelled_batches_side_by_side_are_the_one_rank_batch()
    {
        using var dir = new TempDir();
        // One size: a batch of mixed sizes is cropped to its own smallest clip, so a rank's half could differ.
        string index = await FeedTestShards.WriteAsync(dir.Path, oneSize: true);
        var one = await Collect(index, Options(mix: false), epoch: 2, count: 3);
        var rank0 = await Collect(index, Options(mix: false, world: 2, rank: 0), epoch: 2, count: 3);
        var rank1 = await Collect(index, Options(mix: false, world: 2, rank: 1), epoch: 2, count: 3);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(one[k].First, rank0[k].First);
            Assert.Equal(one[k].First + 2, rank1[k].First);
            Assert.Equal(one[k].U2, rank0[k].U2.Concat(rank1[k].U2));
            Assert.Equal(one[k].Targets, rank0[k].Targets.Concat(rank1[k].Targets));
        }
    }

    [Fact]
    public async Task A_label_outside_the_classes_is_refused_naming_the_shard_file_and_the_video()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.Path);
        using TrainFeed feed = await TrainFeed.OpenAsync(index, Options(mix: false, classes: 2));   // labels are 0, 1, 2
        var e = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (FeedBatch b in feed.EpochAsync(0, 0, feed.BatchesPerEpoch)) b.Dispose();
        });
        // Which row comes first depends on the order; whichever it is, it has label 2 and sits in
        // shard i / 4 (FeedTestShards writes 4 rows per shard, in order).
        var match = System.Text.RegularExpressions.Regex.Match(e.Message, "video 'vid(\\d\\d)'");
        Assert.True(match.Success, e.Message);
        int i = int.Parse(match.Groups[1].Value);
        Assert.Equal(2, i % 3);
        Assert.Contains(Path.GetFileName(feed.Index.Shards[i / FeedTestShards.RowsPerShard].File), e.Message);
        Assert.Contains("label 2", e.Message);
        Assert.Contains("2 classes", e.Message);
    }

    [Fact]
    public void Labelled_options_are_checked()
    {
        AugmentConfig augment = new PretrainSettings().ToAugmentConfig();
        Assert.Contains("at least 1", Assert.Throws<ArgumentException>(() => new FeedOptions(4, augment with { NumClasses = 3 }, 0) { Labelled = true, Repeats = 0 }.Validate()).Message);
        Assert.Contains("labelled", Assert.Throws<ArgumentException>(() => new FeedOptions(4, augment, 0) { Repeats = 2 }.Validate()).Message);
        Assert.Contains("NumClasses", Assert.Throws<ArgumentException>(() => new FeedOptions(4, augment, 0) { Labelled = true }.Validate()).Message);
        new FeedOptions(4, augment with { NumClasses = 3 }, 0) { Labelled = true, Repeats = 2 }.Validate();
    }
}
