using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public sealed class DownstreamLoaderTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-loader");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Reads_one_split_in_batches_with_normalised_flat_colours()
    {
        var videos = DownstreamTestData.ColourVideos(train: 2, val: 1);
        string index = await DownstreamTestData.WriteAsync(dir.Path, videos);
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(index);
        Assert.Equal(3, loader.NumClasses);
        Assert.Equal(new[] { "red", "green", "blue" }, loader.ClassNames);
        var counts = await loader.CountSplitsAsync();
        Assert.Equal(6, counts["train"]);
        Assert.Equal(3, counts["val"]);
        Assert.Equal("val", await loader.HeldOutSplitAsync(null));

        var keys = new List<ClipKey>();
        var sizes = new List<int>();
        await foreach (LabelledClipBatch batch in loader.ReadAsync("val", DownstreamSetup.CenterCrop(32), batchSize: 2))
            using (batch)
            {
                Assert.Equal(new long[] { batch.Count, 1, 3, 4, 32, 32 }, batch.Views.shape);
                sizes.Add(batch.Count);
                for (int i = 0; i < batch.Count; i++)
                {
                    SyntheticVideo v = videos.Single(x => x.Id == batch.Clips[i].VideoId);
                    // ImageNet normalisation of the flat colour, by hand: (c/255 - mean) / std.
                    double[] mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
                    byte[] c = [v.Colour.r, v.Colour.g, v.Colour.b];
                    for (int ch = 0; ch < 3; ch++)
                    {
                        using Tensor plane = batch.Views.select(0, i).select(0, 0).select(0, ch);
                        double expected = (c[ch] / 255.0 - mean[ch]) / std[ch];
                        using Tensor lo = plane.min(), hi = plane.max();
                        Assert.InRange(lo.item(), expected - 0.05, expected + 0.05);
                        Assert.InRange(hi.item(), expected - 0.05, expected + 0.05);
                    }
                }
                keys.AddRange(batch.Clips);
            }
        Assert.Equal(new[] { 2, 1 }, sizes);
        Assert.Equal(videos.Where(v => v.Split == "val").Select(v => new ClipKey(v.Id, 0, v.Label)), keys);
    }

    [Fact]
    public async Task Multi_view_keeps_the_first_K_clips_and_three_crops_of_a_wide_frame()
    {
        var videos = new List<SyntheticVideo> { new("a", 0, "test", 3, (200, 10, 10)), new("b", 1, "test", 2, (10, 200, 10)), new("c", 1, "train", 1, (10, 200, 10)) };
        string index = await DownstreamTestData.WriteAsync(dir.Path, videos, width: 48, height: 32);
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(index);
        Assert.Equal("test", await loader.HeldOutSplitAsync(null));
        var keys = new List<ClipKey>();
        await foreach (LabelledClipBatch batch in loader.ReadAsync("test", DownstreamSetup.Views(32, 3), batchSize: 8, maxClipsPerVideo: 2))
            using (batch)
            {
                Assert.Equal(new long[] { 4, 3, 3, 4, 32, 32 }, batch.Views.shape);
                keys.AddRange(batch.Clips);
            }
        Assert.Equal(new[] { ("a", 0), ("a", 1), ("b", 0), ("b", 1) }, keys.Select(k => (k.VideoId, k.ClipIndex)));
    }

    [Fact]
    public async Task A_missing_split_is_an_error_naming_the_index_and_the_splits_present()
    {
        string index = await DownstreamTestData.WriteAsync(dir.Path, DownstreamTestData.ColourVideos(1, 0));
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(index);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => loader.HeldOutSplitAsync(null));
        Assert.Contains(index, e.Message);
        Assert.Contains("train (3)", e.Message);
    }
}
