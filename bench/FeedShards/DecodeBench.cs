using System.Diagnostics;
using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;

// CPU time of the feed's first two stages on a shard set: open + SHA-256 + read every row, then
// JPEG decode of every clip frame and sampled frame, per decoder setting (settings alternated,
// median of 7 rounds each).
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
        // Settings alternate within each round (so a change in the machine's load hits all of them
        // alike); each setting reports its median round.
        const int rounds = 7;
        var decoders = settings.Select(x => new JpegDecoder(x.Options)).ToArray();
        var pixels = settings.Select(_ => rows.SelectMany(r => r.Frames.Concat(r.SampledFrames).Select(_ => new byte[r.Width * r.Height * 3])).ToArray()).ToArray();
        var times = settings.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < rounds; round++)
            for (int s = 0; s < settings.Length; s++)
            {
                double t0 = CpuSeconds();
                int k = 0;
                foreach (ShardRow r in rows)
                    foreach (byte[] jpeg in r.Frames.Concat(r.SampledFrames))
                        decoders[s].DecodeInto(jpeg, pixels[s][k++], r.Width, r.Height);
                times[s].Add(CpuSeconds() - t0);
            }
        byte[][] reference = pixels[0];
        for (int s = 0; s < settings.Length; s++)
        {
            double sum = 0;
            long n = 0;
            int max = 0;
            for (int i = 0; i < reference.Length; i++)
                for (int j = 0; j < reference[i].Length; j++)
                {
                    int d = Math.Abs(pixels[s][i][j] - reference[i][j]);
                    sum += d;
                    max = Math.Max(max, d);
                    n++;
                }
            double median = times[s].Order().ElementAt(rounds / 2);
            Console.WriteLine($"decode, {settings[s].Name,-20}: {median / rows.Count * 1000:F2} ms CPU per clip ({reference.Length / rows.Count} frames, " +
                              $"median of {rounds} rounds), vs accurate: mean |diff| {sum / n:F3}, max {max}");
            decoders[s].Dispose();
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
