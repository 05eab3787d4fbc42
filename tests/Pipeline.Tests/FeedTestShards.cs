using System.Runtime.CompilerServices;
using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>
/// Tiny prepared data for feed and pretrain tests: 12 clips of 4 frames in 3 shards of 4 rows and
/// an index.json. Clips alternate between 48x64 and 40x48 pixels (so batches mix sizes), or are
/// all 48x64 with <c>oneSize</c> (so batches decode into one slab), each frame a seeded random
/// pattern, one sampled frame per clip at position i % 4.
/// </summary>
internal static class FeedTestShards
{
    public const int Clips = 12, Frames = 4, RowsPerShard = 4;

    /// <summary>Writes the shards and index.json into <paramref name="directory"/>; returns the index path.</summary>
    public static async Task<string> WriteAsync(string directory, bool oneSize = false)
    {
        var layout = new ShardLayout(clipLength: Frames, sampledFrames: 1);
        using var jpeg = new JpegEncoder(quality: 90);
        await using var writer = new ShardWriter(directory, "train", layout);
        for (int i = 0; i < Clips; i++)
        {
            (int h, int w) = i % 2 == 0 || oneSize ? (48, 64) : (40, 48);
            var rng = new Random(1000 + i);
            var frames = new List<byte[]>();
            for (int f = 0; f < Frames; f++)
            {
                var rgb = new byte[h * w * 3];
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                    {
                        int o = (y * w + x) * 3;
                        rgb[o] = (byte)(x * 4 + f * 20);
                        rgb[o + 1] = (byte)(y * 5 + i * 10);
                        rgb[o + 2] = (byte)rng.Next(256);
                    }
                frames.Add(jpeg.Encode(rgb, w, h));
            }
            int pos = i % Frames;
            await writer.AppendAsync(new ShardRow
            {
                VideoId = $"vid{i:D2}", ClipIndex = 0, Label = i % 3, LabelName = $"class{i % 3}", Split = "train",
                SourcePath = $"synthetic/vid{i:D2}.mp4", Fps = 25, Width = w, Height = h, NumVideoFrames = Frames,
                ClipStart = 0, Stride = 1, FrameIndices = [0, 1, 2, 3], Padded = false, Frames = frames,
                SampledFrameIndices = [pos], SampledPositions = [pos], SampledFrames = [frames[pos]],
            });
            if ((i + 1) % RowsPerShard == 0) await writer.CompleteAsync();
        }
        var index = new ShardIndex
        {
            SchemaVersion = ShardIndex.CurrentSchemaVersion, Dataset = "synthetic", Created = DateTimeOffset.UnixEpoch, ToolVersion = "test",
            Config = new PrepareConfig
            {
                ClipLength = Frames, Stride = 1, ClipsPerVideo = 1, SamplingMode = "first", SampledFrames = 1,
                JpegQuality = 90, ShortSide = 48, Seed = 0, ShardSizeBytes = 1 << 20,
            },
            Labels = new Dictionary<string, int> { ["class0"] = 0, ["class1"] = 1, ["class2"] = 2 },
            Shards = writer.Completed.ToList(), Splits = ShardIndex.SplitTotalsOf(writer.Completed), Quarantine = [], Totals = new IndexTotals(Clips, Clips, 0),
        };
        string path = Path.Combine(directory, ShardIndexFile.FileName);
        await ShardIndexFile.SaveAsync(path, index);
        return path;
    }
}

internal static class TestThreads
{
    /// <summary>One intra-op thread per test process unless CVMAE_THREADS says otherwise: xunit runs
    /// classes in parallel on a 2-core machine and oversubscribed OpenMP threads slow every step.</summary>
    [ModuleInitializer]
    internal static void OneIntraOpThread()
    {
        if (Environment.GetEnvironmentVariable("CVMAE_THREADS") is null) torch.set_num_threads(1);
    }
}
