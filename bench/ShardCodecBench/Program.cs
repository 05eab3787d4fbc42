using System.Diagnostics;
using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;

// shard-codec-bench LABEL ROUNDS [ROWS]: ROWS clips (default 100) of 16 JPEG frames of 341x256
// at q90 plus one sampled frame, written as one shard (fsync included) and read back through
// ShardReader.OpenAsync(dir, info) (SHA-256 checked first) ROUNDS times. Prints the median wall
// and CPU seconds of each phase and MB/s over the file size. Uses only ShardWriter/ShardReader's
// public API, so bench/shard-codec-bench.sh builds it against the old codec and the new one.
if (args.Length is < 2 or > 3) { Console.Error.WriteLine("usage: shard-codec-bench LABEL ROUNDS [ROWS]"); return 2; }
string label = args[0];
int rounds = int.Parse(args[1]), rowCount = args.Length == 3 ? int.Parse(args[2]) : 100;
const int T = 16, H = 256, W = 341;

ShardRow[] rows = MakeRows(rowCount);
long jpegBytes = rows.Sum(r => r.Frames.Sum(f => (long)f.Length) + r.SampledFrames.Sum(f => (long)f.Length));
string root = Path.Combine(Path.GetTempPath(), $"shard-codec-bench-{Environment.ProcessId}");
var writes = new List<(double Wall, double Cpu)>();
var reads = new List<(double Wall, double Cpu)>();
long fileBytes = 0;
try
{
    for (int round = 0; round < rounds; round++)
    {
        string dir = Path.Combine(root, $"r{round}");
        ShardInfo info = null!;
        writes.Add(await Measure(async () =>
        {
            await using var writer = new ShardWriter(dir, "bench", new ShardLayout(T, 1));
            foreach (ShardRow row in rows) await writer.AppendAsync(row);
            info = (await writer.CompleteAsync())!;
        }));
        fileBytes = info.Bytes;
        int read = 0;
        reads.Add(await Measure(async () =>
        {
            await using ShardReader reader = await ShardReader.OpenAsync(dir, info);
            await foreach (ShardRow row in reader.ReadRowsAsync()) read += row.Frames.Count;
        }));
        if (read != rowCount * T) throw new InvalidOperationException($"read {read} frames, wrote {rowCount * T}");
        Directory.Delete(dir, recursive: true);
    }
}
finally
{
    if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
}

double mb = fileBytes / 1e6;
(double w, double wc) = Median(writes);
(double r, double rc) = Median(reads);
Console.WriteLine($"{label}: {rowCount} rows, file {fileBytes:N0} B (JPEG {jpegBytes:N0} B, overhead {100.0 * (fileBytes - jpegBytes) / jpegBytes:F2}%), median of {rounds}: " +
                  $"write {w:F3} s wall {wc:F3} s CPU = {mb / w:F0} MB/s; read (SHA-256 + rows) {r:F3} s wall {rc:F3} s CPU = {mb / r:F0} MB/s");
return 0;

static async Task<(double Wall, double Cpu)> Measure(Func<Task> work)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    await work();
    return (wall.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
}

static (double, double) Median(List<(double Wall, double Cpu)> xs) =>
    (xs.Select(x => x.Wall).Order().ElementAt(xs.Count / 2), xs.Select(x => x.Cpu).Order().ElementAt(xs.Count / 2));

// Smooth gradients plus noise, so the JPEGs have the sizes of real frames at this size and quality.
static ShardRow[] MakeRows(int count)
{
    using var jpeg = new JpegEncoder(quality: 90);
    var rgb = new byte[H * W * 3];
    var result = new ShardRow[count];
    for (int i = 0; i < count; i++)
    {
        var rng = new Random(i);
        var frames = new byte[T][];
        for (int f = 0; f < T; f++)
        {
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    int o = (y * W + x) * 3;
                    rgb[o] = (byte)((x + f * 3 + i * 7) & 255);
                    rgb[o + 1] = (byte)((y * 2 + i * 13) & 255);
                    rgb[o + 2] = (byte)((x + y + rng.Next(32)) & 255);
                }
            frames[f] = jpeg.Encode(rgb, W, H);
        }
        int pos = i % T;
        result[i] = new ShardRow
        {
            VideoId = $"v{i:D5}", ClipIndex = 0, Label = i % 10, LabelName = $"c{i % 10}", Split = "train", SourcePath = $"synthetic/v{i:D5}.mp4",
            Fps = 25, Width = W, Height = H, NumVideoFrames = 300, ClipStart = i, Stride = 4, FrameIndices = Enumerable.Range(0, T).Select(k => i + 4 * k).ToArray(),
            Padded = false, Frames = frames, SampledFrameIndices = [i + 4 * pos], SampledPositions = [pos], SampledFrames = [frames[pos]],
        };
    }
    return result;
}
