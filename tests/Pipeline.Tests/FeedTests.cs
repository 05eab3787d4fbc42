using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Train;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Stages.Feed;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public class FeedTests
{
    private static FeedOptions Options(int decodeThreads = 1) =>
        new(BatchSize: 4, new PretrainSettings { Model = { Frames = 4, VideoSize = 32, FrameSize = 32 } }.ToAugmentConfig(), Seed: 5)
        {
            DecodeThreads = decodeThreads, Prefetch = 1, WindowShards = 2,
        };

    private static async Task<List<(long First, long Index, float[] V1, float[] V2, float[] Fr, long[] Pos)>> Collect(
        string index, FeedOptions options, int epoch, long start, long count)
    {
        using TrainFeed feed = await TrainFeed.OpenAsync(index, options);
        var list = new List<(long, long, float[], float[], float[], long[])>();
        await foreach (FeedBatch b in feed.EpochAsync(epoch, start, count))
            using (b)
            {
                Assert.Equal(epoch, b.Epoch);
                Assert.Equal([4, 3, 4, 32, 32], b.View1!.shape);
                Assert.Equal([4, 1, 3, 32, 32], b.Frames!.shape);
                list.Add((b.FirstSample, b.BatchIndex, b.View1.data<float>().ToArray(), b.View2.data<float>().ToArray(),
                    b.Frames.data<float>().ToArray(), b.FrameIndices!.data<long>().ToArray()));
            }
        return list;
    }

    [Fact]
    public async Task Same_seed_and_epoch_give_the_same_batches_and_another_epoch_differs()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.Path);
        var a = await Collect(index, Options(decodeThreads: 1), epoch: 0, 0, 3);
        var b = await Collect(index, Options(decodeThreads: 2), epoch: 0, 0, 3);
        var c = await Collect(index, Options(), epoch: 1, 0, 3);
        Assert.Equal(3, a.Count);
        Assert.Equal([0L, 4, 8], a.Select(x => x.First));
        Assert.Equal([0L, 1, 2], a.Select(x => x.Index));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(a[i].V1, b[i].V1);
            Assert.Equal(a[i].V2, b[i].V2);
            Assert.Equal(a[i].Fr, b[i].Fr);
            Assert.Equal(a[i].Pos, b[i].Pos);
            Assert.NotEqual(a[i].V1, c[i].V1);
        }
        // Positions come from the rows (i % 4) and every clip is seen once per epoch.
        Assert.All(a.SelectMany(x => x.Pos), p => Assert.InRange(p, 0, 3));
    }

    [Fact]
    public async Task Starting_mid_epoch_gives_the_batches_of_a_full_pass()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.Path);
        var full = await Collect(index, Options(), epoch: 2, 0, 3);
        var tail = await Collect(index, Options(), epoch: 2, 1, 2);
        Assert.Equal([4L, 8], tail.Select(x => x.First));
        Assert.Equal(full[1].V1, tail[0].V1);
        Assert.Equal(full[2].V2, tail[1].V2);
        Assert.Equal(full[2].Fr, tail[1].Fr);
    }

    [Fact]
    public async Task A_shard_whose_bytes_do_not_match_its_hash_is_refused_naming_the_file()
    {
        using var dir = new TempDir();
        string index = await FeedTestShards.WriteAsync(dir.Path);
        string victim = Directory.GetFiles(dir.Path, "*.parquet").OrderBy(f => f).Skip(1).First();
        byte[] bytes = await File.ReadAllBytesAsync(victim);
        bytes[bytes.Length / 2] ^= 0xFF; // same size, different content
        await File.WriteAllBytesAsync(victim, bytes);

        using TrainFeed feed = await TrainFeed.OpenAsync(index, Options());
        var e = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            for (int epoch = 0; epoch < 2; epoch++)
                await foreach (FeedBatch b in feed.EpochAsync(epoch, 0, 3)) b.Dispose();
        });
        Assert.Contains(Path.GetFileName(victim), e.Message);
        Assert.Contains("SHA-256", e.Message);
    }

    [Fact]
    public void Clips_of_different_sizes_are_center_cropped_to_the_smallest_height_and_width()
    {
        // Sample A is 4x6, sample B 2x5 (H x W): the batch is 2x5. A's crop starts at row (4-2)/2 = 1,
        // column (6-5)/2 = 0. Pixel value = 10*row + col in every channel.
        static DecodedSample Make(string id, int h, int w)
        {
            var v = new byte[h * w * 3];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int c = 0; c < 3; c++) v[(y * w + x) * 3 + c] = (byte)(10 * y + x);
            return new DecodedSample(id, 0, 0, torch.tensor(v, 1, h, w, 3), torch.tensor(v, 1, h, w, 3), [0]);
        }
        using DecodedSample a = Make("a", 4, 6), b = Make("b", 2, 5);
        var (clips, frames, pos) = BatchCollate.Stack([a, b]);
        using (clips) using (frames) using (pos)
        {
            Assert.Equal([2, 1, 2, 5, 3], clips.shape);
            byte[] got = clips.contiguous().data<byte>().ToArray();
            // sample 0 (A), row 0 of the crop = source row 1: 10, 11, 12, 13, 14
            Assert.Equal(new byte[] { 10, 11, 12, 13, 14 }, Enumerable.Range(0, 5).Select(x => got[x * 3]).ToArray());
            // sample 1 (B) is whole: its row 1 is 10..14 as well, row 0 is 0..4
            int s1 = 2 * 5 * 3;
            Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, Enumerable.Range(0, 5).Select(x => got[s1 + x * 3]).ToArray());
            Assert.Equal([0L, 0], pos.data<long>().ToArray());
        }
    }

    [Fact]
    public void A_sampled_frame_is_its_own_jpeg_whether_or_not_the_clip_holds_the_same_bytes()
    {
        // Flat colours: frame f of the clip is (40 f, 100, 200); a JPEG of a flat picture decodes to
        // that colour within a level or two.
        const int h = 16, w = 24;
        using var jpeg = new Stages.Jpeg.JpegEncoder(quality: 95);
        byte[] Flat(int r, int g, int b)
        {
            var v = new byte[h * w * 3];
            for (int i = 0; i < h * w; i++) (v[3 * i], v[3 * i + 1], v[3 * i + 2]) = ((byte)r, (byte)g, (byte)b);
            return jpeg.Encode(v, w, h);
        }
        List<byte[]> clipFrames = [Flat(0, 100, 200), Flat(40, 100, 200), Flat(80, 100, 200)];
        byte[] other = Flat(250, 10, 30);
        Stages.Shards.ShardRow Row(byte[] sampled) => new()
        {
            VideoId = "v", ClipIndex = 0, Label = 0, LabelName = "c", Split = "train", SourcePath = "v.mp4", Fps = 25, Width = w, Height = h,
            NumVideoFrames = 3, ClipStart = 0, Stride = 1, FrameIndices = [0, 1, 2], Padded = false, Frames = clipFrames,
            SampledFrameIndices = [1], SampledPositions = [1], SampledFrames = [sampled],
        };
        using var decoder = new ShardRowDecoder();
        foreach ((byte[] sampled, int[] rgb) in new[] { (clipFrames[1], new[] { 40, 100, 200 }), (other, new[] { 250, 10, 30 }) })
        {
            using DecodedSample s = decoder.Decode(Row(sampled), "test.parquet");
            Assert.Equal([1, h, w, 3], s.Frames.shape);
            byte[] px = s.Frames.data<byte>().ToArray();
            for (int i = 0; i < h * w; i++)
                for (int c = 0; c < 3; c++)
                    Assert.InRange(px[3 * i + c], rgb[c] - 3, rgb[c] + 3);
            byte[] clipPx = s.Clip.data<byte>().ToArray();
            Assert.InRange(clipPx[2 * h * w * 3], 77, 83); // clip frame 2 is still frame 2 (red 80)
        }
    }

    [Fact]
    public void A_batch_decoded_into_one_slab_equals_its_samples_decoded_apart_and_stacked()
    {
        // Two rows of one size: the slab path (decode into rows of the batch tensors, nothing to stack)
        // against decoding each row into its own tensors and stacking them.
        const int h = 16, w = 24;
        using var jpeg = new Stages.Jpeg.JpegEncoder(quality: 90);
        byte[] Picture(int seed)
        {
            var v = new byte[h * w * 3];
            for (int i = 0; i < v.Length; i++) v[i] = (byte)((i * 37 + seed * 101) % 251);
            return jpeg.Encode(v, w, h);
        }
        Stages.Shards.ShardRow Row(string id, int seed) => new()
        {
            VideoId = id, ClipIndex = 0, Label = 0, LabelName = "c", Split = "train", SourcePath = id + ".mp4", Fps = 25, Width = w, Height = h,
            NumVideoFrames = 2, ClipStart = 0, Stride = 1, FrameIndices = [0, 1], Padded = false, Frames = [Picture(seed), Picture(seed + 1)],
            SampledFrameIndices = [1], SampledPositions = [1], SampledFrames = [Picture(seed + 7)],
        };
        Stages.Shards.ShardRow[] rows = [Row("a", 1), Row("b", 2)];
        using var decoder = new ShardRowDecoder();
        using var pool = new ViewBufferPool(4);

        BatchSlab slab = BatchSlab.ForRows(rows, pool)!;
        Assert.NotNull(slab);
        var inSlab = rows.Select((r, i) => decoder.Decode(r, "test.parquet", slab, i)).ToList();
        var apart = rows.Select(r => decoder.Decode(r, "test.parquet")).ToList();
        var (clips, frames, pos) = BatchCollate.Stack(inSlab);
        var (clipsApart, framesApart, posApart) = BatchCollate.Stack(apart);
        using (clips) using (frames) using (pos) using (clipsApart) using (framesApart) using (posApart)
        {
            Assert.Same(slab.Clips, clips); // nothing was copied
            Assert.Same(slab.Frames, frames);
            Assert.Equal([2, 2, h, w, 3], clips.shape);
            Assert.Equal(clipsApart.contiguous().data<byte>().ToArray(), clips.data<byte>().ToArray());
            Assert.Equal(framesApart.contiguous().data<byte>().ToArray(), frames.data<byte>().ToArray());
            Assert.Equal(posApart.data<long>().ToArray(), pos.data<long>().ToArray());
        }
        foreach (DecodedSample s in inSlab.Concat(apart)) s.Dispose();

        // Rows of different sizes get no slab (collation crops them to the smallest and stacks).
        Stages.Shards.ShardRow narrow = Row("c", 3) with { Width = w - 8 };
        Assert.Null(BatchSlab.ForRows([rows[0], narrow], pool));
    }
}
