using System.Diagnostics;
using CrossVideoMAE.Stages.Jpeg;

namespace CrossVideoMAE.Bench;

/// <summary>What the shard benchmarks share: timing a piece of work (wall and process CPU) and the median of rounds.</summary>
internal static class BenchTiming
{
    public static async Task<(double Wall, double Cpu)> Measure(Func<Task> work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await work();
        return (wall.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
    }

    public static (double Wall, double Cpu) Median(List<(double Wall, double Cpu)> xs) =>
        (xs.Select(x => x.Wall).Order().ElementAt(xs.Count / 2), xs.Select(x => x.Cpu).Order().ElementAt(xs.Count / 2));
}

/// <summary>Synthetic clips for the shard benchmarks: smooth gradients plus noise, so the JPEGs have the sizes of
/// real frames at this size and quality (90). Clip i, frame f is the same in every benchmark.</summary>
internal static class SyntheticFrames
{
    // [clips][frames] JPEG bytes of w x h frames.
    public static byte[][][] Jpegs(int clips, int frames, int h, int w)
    {
        using var jpeg = new JpegEncoder(quality: 90);
        return Enumerable.Range(0, clips).Select(i => Clip(jpeg, i, frames, h, w)).ToArray();
    }

    // Clip i: [frames] JPEG bytes of w x h frames (for writing clips one at a time).
    public static byte[][] Clip(JpegEncoder jpeg, int i, int frames, int h, int w)
    {
        var rgb = new byte[h * w * 3];
        var rng = new Random(i);
        var result = new byte[frames][];
        for (int f = 0; f < frames; f++)
        {
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int o = (y * w + x) * 3;
                    rgb[o] = (byte)((x + f * 3 + i * 7) & 255);
                    rgb[o + 1] = (byte)((y * 2 + i * 13) & 255);
                    rgb[o + 2] = (byte)((x + y + rng.Next(32)) & 255);
                }
            result[f] = jpeg.Encode(rgb, w, h);
        }
        return result;
    }
}
