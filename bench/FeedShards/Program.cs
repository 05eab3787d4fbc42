using CrossVideoMAE.Bench;
using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;

// feed-shards DIR CLIPS FRAMES HEIGHT WIDTH: synthetic clips (smooth gradients plus noise, so the
// JPEGs have realistic sizes) with one sampled frame each, in 4 shards, and DIR/index.json.
//   feed-shards --decode DIR: the CPU cost of reading the shards (SHA-256 checked) and of decoding
//   every frame with libjpeg-turbo's accurate and fast settings, and how far the fast ones differ.
if (args.Length == 2 && args[0] == "--decode") return await DecodeBench.RunAsync(args[1]);
if (args.Length != 5) { Console.Error.WriteLine("usage: feed-shards DIR CLIPS FRAMES HEIGHT WIDTH"); return 2; }
string dir = args[0];
int clips = int.Parse(args[1]), t = int.Parse(args[2]), h = int.Parse(args[3]), w = int.Parse(args[4]);
using var jpeg = new JpegEncoder(quality: 90);
await using var writer = new ShardWriter(dir, "bench", new ShardLayout(t, 1));
int perShard = Math.Max(1, clips / 4);
for (int i = 0; i < clips; i++)
{
    List<byte[]> frames = [.. SyntheticFrames.Clip(jpeg, i, t, h, w)];
    int pos = i % t;
    await writer.AppendAsync(new ShardRow
    {
        VideoId = $"v{i:D5}", ClipIndex = 0, Label = i % 10, LabelName = $"c{i % 10}", Split = "train", SourcePath = $"synthetic/v{i:D5}.mp4",
        Fps = 25, Width = w, Height = h, NumVideoFrames = t, ClipStart = 0, Stride = 1, FrameIndices = Enumerable.Range(0, t).ToList(),
        Padded = false, Frames = frames, SampledFrameIndices = [pos], SampledPositions = [pos], SampledFrames = [frames[pos]],
    });
    if ((i + 1) % perShard == 0) await writer.CompleteAsync();
}
await writer.CompleteAsync();
var index = new ShardIndex
{
    SchemaVersion = ShardIndex.CurrentSchemaVersion, Dataset = "synthetic", Created = DateTimeOffset.UtcNow, ToolVersion = "feed-shards",
    Config = new PrepareConfig { ClipLength = t, Stride = 1, ClipsPerVideo = 1, SamplingMode = "first", SampledFrames = 1, JpegQuality = 90, ShortSide = Math.Min(h, w), Seed = 0, ShardSizeBytes = 1L << 28 },
    Labels = Enumerable.Range(0, 10).ToDictionary(k => $"c{k}", k => k),
    Shards = writer.Completed.ToList(), Splits = ShardIndex.SplitTotalsOf(writer.Completed, new Dictionary<string, long> { ["train"] = clips }),
    Quarantine = [], Totals = new IndexTotals(clips, clips, 0),
};
await ShardIndexFile.SaveAsync(Path.Combine(dir, ShardIndexFile.FileName), index);
Console.WriteLine($"wrote {clips} clips of {t}x{h}x{w} in {writer.Completed.Count} shards to {dir}");
return 0;
