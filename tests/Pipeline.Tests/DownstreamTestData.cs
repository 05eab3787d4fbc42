using System.Runtime.CompilerServices;
using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>One synthetic video of the test datasets: its class, split, clips and frame colour.</summary>
public sealed record SyntheticVideo(string Id, int Label, string Split, int Clips, (byte r, byte g, byte b) Colour);

/// <summary>
/// Tiny prepared datasets written with the real ShardWriter and JpegEncoder: every frame of a video
/// is one flat colour, so class and pixel values are known by construction.
/// </summary>
internal static class DownstreamTestData
{
    [ModuleInitializer]
    internal static void OneIntraOpThread()
    {
        if (Environment.GetEnvironmentVariable("CVMAE_THREADS") is null) torch.set_num_threads(1);
    }

    public static readonly (byte, byte, byte)[] ClassColours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)];
    public static readonly string[] ClassNames = ["red", "green", "blue"];

    /// <summary>Videos of 3 colour classes: per class <paramref name="train"/> train and <paramref name="val"/> val videos,
    /// colours jittered a little per video so features differ.</summary>
    public static List<SyntheticVideo> ColourVideos(int train, int val, int clips = 1)
    {
        var videos = new List<SyntheticVideo>();
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < train + val; i++)
            {
                var (r, g, b) = ClassColours[c];
                byte J(byte v) => (byte)(v == 0 ? 10 * i % 60 : 255 - 7 * i % 50);
                videos.Add(new SyntheticVideo($"{ClassNames[c]}_{i:D2}", c, i < train ? "train" : "val", clips, (J(r), J(g), J(b))));
            }
        return videos;
    }

    /// <summary>Writes shards and index.json of <paramref name="videos"/> (T frames of width x height) into <paramref name="dir"/>.</summary>
    public static async Task<string> WriteAsync(string dir, IReadOnlyList<SyntheticVideo> videos, int clipLength = 4, int width = 32, int height = 32)
    {
        var layout = new ShardLayout(clipLength, 1);
        using var jpeg = new JpegEncoder(quality: 95, JpegSubsampling.Chroma444);
        var cache = new Dictionary<(byte, byte, byte), byte[]>();
        byte[] Frame((byte r, byte g, byte b) c)
        {
            if (cache.TryGetValue(c, out byte[]? f)) return f;
            var px = new byte[width * height * 3];
            for (int i = 0; i < px.Length; i += 3) { px[i] = c.r; px[i + 1] = c.g; px[i + 2] = c.b; }
            return cache[c] = jpeg.Encode(px, width, height);
        }
        ShardInfo[] shards;
        int rows = 0;
        await using (var writer = new ShardWriter(dir, "data", layout, new ShardWriterOptions { MaxShardBytes = 40_000 }))
        {
            foreach (SyntheticVideo v in videos)
                for (int clip = 0; clip < v.Clips; clip++)
                {
                    byte[] frame = Frame(v.Colour);
                    int[] indices = Enumerable.Range(clip * clipLength, clipLength).ToArray();
                    await writer.AppendAsync(new ShardRow
                    {
                        VideoId = v.Id, ClipIndex = clip, Label = v.Label, LabelName = ClassNames[v.Label], Split = v.Split,
                        SourcePath = $"videos/{v.Id}.mp4", Fps = 25, Width = width, Height = height,
                        NumVideoFrames = clipLength * v.Clips, ClipStart = clip * clipLength, Stride = 1, FrameIndices = indices, Padded = false,
                        Frames = Enumerable.Repeat(frame, clipLength).ToArray(),
                        SampledFrameIndices = [indices[0]], SampledPositions = [0], SampledFrames = [frame],
                    });
                    rows++;
                }
            await writer.CompleteAsync();
            shards = writer.Completed.ToArray();
        }
        var index = new ShardIndex
        {
            SchemaVersion = ShardIndex.CurrentSchemaVersion,
            Dataset = "colours",
            Created = DateTimeOffset.UtcNow,
            ToolVersion = "test",
            Config = new PrepareConfig
            {
                ClipLength = clipLength, Stride = 1, ClipsPerVideo = videos.Max(v => v.Clips), SamplingMode = "first", SampledFrames = 1,
                JpegQuality = 95, ShortSide = Math.Min(width, height), Seed = 0, ShardSizeBytes = 40_000,
            },
            Labels = ClassNames.Select((n, i) => (n, i)).ToDictionary(e => e.n, e => e.i),
            Shards = shards,
            Splits = ShardIndex.SplitTotalsOf(shards, videos.GroupBy(v => v.Split).ToDictionary(g => g.Key, g => (long)g.Count())),
            Quarantine = [],
            Totals = new IndexTotals(videos.Count, rows, 0),
        };
        string path = Path.Combine(dir, ShardIndexFile.FileName);
        await ShardIndexFile.SaveAsync(path, index);
        return path;
    }
}
