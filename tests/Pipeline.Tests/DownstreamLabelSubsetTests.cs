using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public sealed class DownstreamLabelSubsetTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-labelsubset");

    public void Dispose() => dir.Dispose();

    // 3 classes: 5, 5 and 2 videos, 2 clips each, interleaved as a loader might list them.
    private static List<ClipKey> Clips()
    {
        var clips = new List<ClipKey>();
        int[] videos = [5, 5, 2];
        for (int v = 0; v < 5; v++)
            for (int label = 0; label < 3; label++)
                if (v < videos[label])
                    for (int c = 0; c < 2; c++) clips.Add(new ClipKey($"c{label}v{v}", c, label));
        return clips;
    }

    [Fact]
    public void Keeps_n_whole_videos_of_each_class_and_all_of_a_smaller_class()
    {
        List<ClipKey> clips = Clips();
        long[] rows = LabelSubset.Rows(clips, videosPerClass: 3, seed: 4);
        ClipKey[] kept = rows.Select(r => clips[(int)r]).ToArray();
        Assert.Equal(rows.Order(), rows);                                    // original order
        var videosOf = kept.GroupBy(c => c.Label).ToDictionary(g => g.Key, g => g.Select(c => c.VideoId).Distinct().Count());
        Assert.Equal(3, videosOf[0]);
        Assert.Equal(3, videosOf[1]);
        Assert.Equal(2, videosOf[2]);                                        // only 2 exist
        Assert.All(kept.GroupBy(c => c.VideoId), g => Assert.Equal(2, g.Count())); // both clips of every kept video
        Assert.Equal((3 + 3 + 2) * 2, rows.Length);
    }

    [Fact]
    public void The_choice_depends_on_the_seed_only()
    {
        List<ClipKey> clips = Clips();
        Assert.Equal(LabelSubset.Rows(clips, 2, seed: 1), LabelSubset.Rows(clips, 2, seed: 1));
        // The same clips listed in another order choose the same videos.
        List<ClipKey> reversed = Enumerable.Reverse(clips).ToList();
        Assert.Equal(LabelSubset.Rows(clips, 2, seed: 1).Select(r => clips[(int)r].ToString()).Order(),
                     LabelSubset.Rows(reversed, 2, seed: 1).Select(r => reversed[(int)r].ToString()).Order());
        // Over a few seeds, more than one choice of 2 of the 5 videos turns up.
        var choices = Enumerable.Range(0, 8).Select(s => string.Join(",", LabelSubset.Rows(clips, 2, (ulong)s))).Distinct().Count();
        Assert.True(choices > 1, "every seed chose the same videos");
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelSubset.Rows(clips, 0, seed: 1));
    }

    [Fact]
    public async Task Repeated_few_label_probes_report_each_run_and_their_mean()
    {
        string index = await DownstreamTestData.WriteAsync(dir.Path, DownstreamTestData.ColourVideos(train: 3, val: 2));
        var request = new LinearProbeRequest(index, Weights: null, RandomInit: true, ConfigName: "tiny", Size: 32, "train", null,
            BatchSize: 8, Torch.Device.CPU, new LinearProbeOptions(Epochs: 20, WarmupEpochs: 2, Lr: 0.1, BatchSize: 4), Seed: 5,
            LabelsPerClass: 1, Repeats: 3);
        LinearProbeReport report = await LinearProbeRun.RunAsync(request, TextWriter.Null);
        Assert.Equal([5UL, 6, 7], report.Seeds);
        Assert.Equal(3, report.Top1PerRun.Length);
        Assert.Equal(report.Top1PerRun.Average(), report.Top1, 12);
        Assert.Equal(3, report.TrainVideos);                                  // one labelled video of each of the 3 classes
        Assert.Equal(3, report.TrainClips);
        Assert.Equal(6, report.EvalVideos);
        Assert.Equal(3 * 6, report.Confusion.SelectMany(r => r).Sum());      // the held-out videos of all runs
        int hits = Enumerable.Range(0, 3).Sum(c => report.Confusion[c][c]);
        Assert.Equal(report.Top1, hits / 18.0, 12);
        await Assert.ThrowsAsync<ArgumentException>(() => LinearProbeRun.RunAsync(request with { Repeats = 0 }, TextWriter.Null));
        await Assert.ThrowsAsync<ArgumentException>(() => LinearProbeRun.RunAsync(request with { LabelsPerClass = 0 }, TextWriter.Null));
    }
}
