using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Stages.Tests.Shards;

/// <summary>Shard rows for tests. Frames are JPEG-shaped byte strings (SOI marker, payload
/// unique to the row and position, EOI marker): the shard layer stores them as opaque bytes.</summary>
internal static class ShardTestRows
{
    public static byte[] Jpeg(int seed, int size)
    {
        var bytes = new byte[Math.Max(size, 8)];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0xFF; bytes[1] = 0xD8; bytes[2] = 0xFF; bytes[3] = 0xE0;
        bytes[^2] = 0xFF; bytes[^1] = 0xD9;
        return bytes;
    }

    /// <summary>Clip <paramref name="clip"/> of video <paramref name="video"/>; videos with an
    /// id divisible by 4 are short and padded.</summary>
    public static ShardRow Row(int video, int clip, ShardLayout layout, int frameBytes = 600)
    {
        bool shortVideo = video % 4 == 0;
        int stride = 2 + video % 3;
        int numFrames = shortVideo ? 20 : 300;
        int start = shortVideo ? 0 : clip * 40 + video;
        int[] indices = Enumerable.Range(0, layout.ClipLength).Select(i => Math.Min(start + i * stride, numFrames - 1)).ToArray();
        int[] positions = Enumerable.Range(0, layout.SampledFrames).Select(k => (video + 5 * k) % layout.ClipLength).ToArray();
        int seed = video * 1000 + clip * 100;
        return new ShardRow
        {
            VideoId = $"v_{video:D3}",
            ClipIndex = clip,
            Label = video % 5,
            LabelName = $"class «{video % 5}»",
            Split = video % 3 == 0 ? "val" : "train",
            SourcePath = $"videos/class_{video % 5}/v_{video:D3}.mp4",
            Fps = 25 + video * 0.5,
            Width = 320,
            Height = 256,
            NumVideoFrames = numFrames,
            ClipStart = start,
            Stride = stride,
            FrameIndices = indices,
            Padded = shortVideo && start + (layout.ClipLength - 1) * stride >= numFrames,
            Frames = Enumerable.Range(0, layout.ClipLength).Select(i => Jpeg(seed + i, frameBytes + i)).ToArray(),
            SampledFrameIndices = positions.Select(p => indices[p]).ToArray(),
            SampledPositions = positions,
            SampledFrames = positions.Select((p, k) => Jpeg(seed + 50 + k, frameBytes / 2)).ToArray(),
        };
    }

    private static object Scalars(ShardRow r) =>
        (r.VideoId, r.ClipIndex, r.Label, r.LabelName, r.Split, r.SourcePath, r.Fps, r.Width, r.Height,
         r.NumVideoFrames, r.ClipStart, (r.Stride, r.Padded));

    public static void AssertSame(ShardRow expected, ShardRow actual)
    {
        Xunit.Assert.Equal(Scalars(expected), Scalars(actual));
        Xunit.Assert.Equal(expected.FrameIndices, actual.FrameIndices);
        Xunit.Assert.Equal(expected.SampledFrameIndices, actual.SampledFrameIndices);
        Xunit.Assert.Equal(expected.SampledPositions, actual.SampledPositions);
        Xunit.Assert.Equal(expected.Frames, actual.Frames);
        Xunit.Assert.Equal(expected.SampledFrames, actual.SampledFrames);
    }
}
