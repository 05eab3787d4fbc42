using CrossVideoMAE.GpuCheck;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public class GpuCheckSummaryTests
{
    [Fact]
    public void Throughput_and_feed_wait_are_sums_over_the_steps_after_the_skipped_ones()
    {
        using var dir = new TempDir();
        string metrics = dir.File("metrics.jsonl");
        File.WriteAllLines(metrics,
        [
            """{"step":1,"step_ms":5000,"clips_per_s":0.8,"feed_wait_ms":4000,"loss_total":9.1}""",
            """{"step":2,"step_ms":100,"clips_per_s":40,"feed_wait_ms":10,"loss_total":9.0}""",
            """{"step":3,"step_ms":300,"clips_per_s":13.333333333333334,"feed_wait_ms":90,"loss_total":8.9}""",
        ]);

        RunSummary s = RunSummary.Read(metrics, skipSteps: 1);

        // Steps 2-3: 4 + 4 clips in 0.4 s; 0.1 s of it waiting for the feed.
        Assert.Equal((2L, 3L, 2), (s.FirstStep, s.LastStep, s.Steps));
        Assert.Equal(20.0, s.ClipsPerSecond, 1e-9);
        Assert.Equal(0.25, s.FeedWaitShare, 1e-12);
        Assert.Equal(200.0, s.StepMs, 1e-9);
        Assert.Equal(1, s.WorldSize);
        string[] lines = s.Lines("x", flopsPerClip: 5e12, peakTflops: 200).ToArray();
        Assert.Contains("summary[x]: MFU 50.0% of 200 TFLOP/s", lines);       // 20 clips/s x 5 TFLOP = 100 TFLOP/s
        Assert.Contains("summary[x]: feed wait 25.0% of step time", lines);
    }

    [Fact]
    public void Several_ranks_are_measured_against_as_many_devices_peak()
    {
        using var dir = new TempDir();
        string metrics = dir.File("metrics.jsonl");
        File.WriteAllLines(metrics, ["""{"step":1,"step_ms":500,"clips_per_s":20,"feed_wait_ms":0,"world_size":2}"""]);

        RunSummary s = RunSummary.Read(metrics, 0);

        Assert.Equal(2, s.WorldSize);
        // 20 clips/s x 5 TFLOP = 100 TFLOP/s of 2 x 200.
        Assert.Contains("summary[x]: MFU 25.0% of 2 x 200 TFLOP/s", s.Lines("x", flopsPerClip: 5e12, peakTflops: 200));
    }

    [Fact]
    public void A_record_without_the_step_fields_names_the_file_and_line()
    {
        using var dir = new TempDir();
        string metrics = dir.File("metrics.jsonl");
        File.WriteAllLines(metrics, ["""{"step":1,"step_ms":10,"clips_per_s":1,"feed_wait_ms":0}""", """{"step":2}"""]);

        var e = Assert.Throws<InvalidDataException>(() => RunSummary.Read(metrics, 0));
        Assert.Contains("metrics.jsonl:2", e.Message);
    }

    [Fact]
    public void Skipping_every_step_is_an_error()
    {
        using var dir = new TempDir();
        string metrics = dir.File("metrics.jsonl");
        File.WriteAllLines(metrics, ["""{"step":1,"step_ms":10,"clips_per_s":1,"feed_wait_ms":0}"""]);

        var e = Assert.Throws<InvalidDataException>(() => RunSummary.Read(metrics, 1));
        Assert.Contains("none left after skipping the first 1", e.Message);
    }
}
