using CrossVideoMAE.Bench;
using static CrossVideoMAE.Bench.BenchTiming;
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

// The rows of clip i: the synthetic frames (bench/Shared) and the fields a prepared row has.
static ShardRow[] MakeRows(int count)
{
    byte[][][] clips = SyntheticFrames.Jpegs(count, T, H, W);
    var result = new ShardRow[count];
    for (int i = 0; i < count; i++)
    {
        byte[][] frames = clips[i];
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
