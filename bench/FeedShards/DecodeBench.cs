using System.Diagnostics;
using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;

// CPU time of the feed's first two stages on a shard set: open + SHA-256 + read every row, then
// JPEG decode of every clip frame and sampled frame, per decoder setting (best of 3 rounds).
internal static class DecodeBench
{
    public static async Task<int> RunAsync(string dir)
    {
        string indexPath = Path.Combine(dir, ShardIndexFile.FileName);
        ShardIndex index = await ShardIndexFile.LoadAsync(indexPath);
        var rows = new List<ShardRow>();
        double readBest = double.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            rows.Clear();
            double t0 = CpuSeconds();
            foreach (ShardInfo shard in index.Shards)
            {
                await using ShardReader reader = await ShardReader.OpenAsync(dir, shard);
                await foreach (ShardRow r in reader.ReadRowsAsync()) rows.Add(r);
            }
            readBest = Math.Min(readBest, CpuSeconds() - t0);
        }
        long bytes = index.Shards.Sum(s => s.Bytes);
        Console.WriteLine($"{rows.Count} clips, {bytes / 1e6:F1} MB of shards: read + SHA-256 {readBest / rows.Count * 1000:F2} ms CPU per clip");

        (string Name, JpegDecoderOptions Options)[] settings =
        [
            ("accurate (default)", new JpegDecoderOptions()),
            ("fast upsample", new JpegDecoderOptions { FastUpsample = true }),
            ("fast DCT", new JpegDecoderOptions { FastDct = true }),
            ("fast DCT + upsample", new JpegDecoderOptions { FastDct = true, FastUpsample = true }),
        ];
        byte[][]? reference = null;
        foreach ((string name, JpegDecoderOptions options) in settings)
        {
            using var decoder = new JpegDecoder(options);
            var pixels = rows.SelectMany(r => r.Frames.Concat(r.SampledFrames).Select(_ => new byte[r.Width * r.Height * 3])).ToArray();
            double best = double.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                double t0 = CpuSeconds();
                int k = 0;
                foreach (ShardRow r in rows)
                    foreach (byte[] jpeg in r.Frames.Concat(r.SampledFrames))
                        decoder.DecodeInto(jpeg, pixels[k++], r.Width, r.Height);
                best = Math.Min(best, CpuSeconds() - t0);
            }
            reference ??= pixels;
            double sum = 0;
            long n = 0;
            int max = 0;
            for (int i = 0; i < pixels.Length; i++)
                for (int j = 0; j < pixels[i].Length; j++)
                {
                    int d = Math.Abs(pixels[i][j] - reference[i][j]);
                    sum += d;
                    max = Math.Max(max, d);
                    n++;
                }
            Console.WriteLine($"decode, {name,-20}: {best / rows.Count * 1000:F2} ms CPU per clip ({pixels.Length / rows.Count} frames), " +
                              $"vs accurate: mean |diff| {sum / n:F3}, max {max}");
        }
        return 0;
    }

    private static double CpuSeconds()
    {
        var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.TotalProcessorTime.TotalSeconds;
    }
}
