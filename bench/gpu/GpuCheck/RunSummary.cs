using System.Globalization;
using System.Text.Json;

namespace CrossVideoMAE.GpuCheck;

/// <summary>
/// Throughput of a pre-training run from its metrics.jsonl (one record per step with step_ms,
/// clips_per_s and feed_wait_ms), after skipping the first steps (JIT, allocator warm-up, the feed
/// filling its queue): clips/s = clips / step time summed over the measured steps, achieved FLOP/s =
/// clips/s x FLOPs per clip (<see cref="TrainingFlops"/>), MFU = achieved / peak, and the share of
/// step time spent waiting for the feed.
/// </summary>
public sealed record RunSummary(long FirstStep, long LastStep, int Steps, double Clips, double Seconds, double FeedWaitSeconds, int WorldSize)
{
    public double ClipsPerSecond => Clips / Seconds;
    public double StepMs => 1000 * Seconds / Steps;
    public double FeedWaitShare => FeedWaitSeconds / Seconds;

    public static RunSummary Read(string metricsPath, int skipSteps)
    {
        if (!File.Exists(metricsPath)) throw new FileNotFoundException($"{metricsPath}: no metrics file (did the run start?)");
        var records = new List<(long step, double ms, double clipsPerS, double waitMs, int world)>();
        int line = 0;
        foreach (string text in File.ReadLines(metricsPath))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(text);
                JsonElement r = doc.RootElement;
                int world = r.TryGetProperty("world_size", out JsonElement w) ? w.GetInt32() : 1;
                records.Add((r.GetProperty("step").GetInt64(), r.GetProperty("step_ms").GetDouble(),
                             r.GetProperty("clips_per_s").GetDouble(), r.GetProperty("feed_wait_ms").GetDouble(), world));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{metricsPath}:{line}: not a step record with step, step_ms, clips_per_s, feed_wait_ms ({e.Message})");
            }
        }
        var measured = records.Skip(skipSteps).ToList();
        if (measured.Count == 0)
            throw new InvalidDataException($"{metricsPath}: {records.Count} step records, none left after skipping the first {skipSteps}");
        double seconds = measured.Sum(r => r.ms) / 1000;
        double clips = measured.Sum(r => r.clipsPerS * r.ms / 1000);
        double wait = measured.Sum(r => r.waitMs) / 1000;
        if (seconds <= 0) throw new InvalidDataException($"{metricsPath}: the measured steps took no time");
        return new RunSummary(measured[0].step, measured[^1].step, measured.Count, clips, seconds, wait, measured[^1].world);
    }

    /// <summary>The "summary:" lines bench/gpu/check.sh prints (its CI test reads them).</summary>
    public IEnumerable<string> Lines(string label, double flopsPerClip, double? peakTflops)
    {
        var ci = CultureInfo.InvariantCulture;
        double tflops = ClipsPerSecond * flopsPerClip / 1e12;
        yield return string.Create(ci, $"summary[{label}]: steps {FirstStep}-{LastStep} ({Steps} measured, world size {WorldSize}): {ClipsPerSecond:F2} clips/s, {StepMs:F1} ms per step");
        yield return string.Create(ci, $"summary[{label}]: {flopsPerClip / 1e9:F2} GFLOP per clip per step (forward + backward): achieved {tflops:F3} TFLOP/s");
        // clips_per_s counts the global batch, so N ranks are measured against N devices' peak.
        yield return peakTflops is double peak
            ? string.Create(ci, $"summary[{label}]: MFU {100 * tflops / (peak * WorldSize):F1}% of {(WorldSize > 1 ? $"{WorldSize} x " : "")}{peak:F0} TFLOP/s")
            : $"summary[{label}]: MFU n/a (no peak for this device)";
        yield return string.Create(ci, $"summary[{label}]: feed wait {100 * FeedWaitShare:F1}% of step time");
    }
}
