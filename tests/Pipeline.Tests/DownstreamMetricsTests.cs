using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public sealed class DownstreamMetricsTests
{
    [Fact]
    public void Top1_top5_confusion_and_per_class_accuracy_by_hand()
    {
        // 7 classes; labels and scores chosen so each case is known:
        // s0: true 0, best 0                    -> top1 hit, top5 hit
        // s1: true 1, ranks 6,5,4,3,2 then 1    -> top1 miss (pred 6), top5 miss
        // s2: true 2, ranks 3,2,...             -> top1 miss (pred 3), top5 hit
        // s3: true 2, tie between 2 and 4       -> lower index wins: pred 2, hit
        // s4: true 3, best 3                    -> hit
        float[][] scores =
        [
            [9, 1, 1, 1, 1, 1, 1],
            [0, 1, 2, 3, 4, 5, 6],
            [0, 0, 5, 6, 0, 0, 0],
            [0, 0, 7, 0, 7, 0, 0],
            [0, 0, 0, 1, 0, 0, 0],
        ];
        int[] labels = [0, 1, 2, 2, 3];
        var m = ClassificationMetrics.Compute(scores, labels, 7);
        Assert.Equal(5, m.Count);
        Assert.Equal(3.0 / 5, m.Top1, 12);
        Assert.Equal(4.0 / 5, m.Top5, 12);
        Assert.Equal(1, m.Confusion[0][0]);
        Assert.Equal(1, m.Confusion[1][6]);
        Assert.Equal(1, m.Confusion[2][3]);
        Assert.Equal(1, m.Confusion[2][2]);
        Assert.Equal(1, m.Confusion[3][3]);
        Assert.Equal(5, m.Confusion.SelectMany(r => r).Sum());
        Assert.Equal(new double?[] { 1, 0, 0.5, 1, null, null, null }, m.PerClassAccuracy);
        string text = m.FormatConfusion(["a", "b", "c", "d", "e", "f", "g"]);
        Assert.Contains("(predicted)", text);
        Assert.Equal(8, text.TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public void Video_scores_average_the_views_of_each_video()
    {
        var s = new VideoScores(2);
        s.Add("v1", 0, [0.9f, 0.1f]);
        s.Add("v2", 1, [0.6f, 0.4f]);
        s.Add("v1", 0, [0.2f, 0.8f]);   // v1: mean (0.55, 0.45) -> class 0, correct
        s.Add("v2", 1, [0.2f, 0.8f]);   // v2: mean (1/3, 2/3) -> class 1, correct
        s.Add("v2", 1, [0.2f, 0.8f]);
        Assert.Equal(2, s.Videos);
        Assert.Equal(5, s.Views);
        var (ids, labels, avg) = s.Averaged();
        Assert.Equal(new[] { "v1", "v2" }, ids);
        Assert.Equal(new[] { 0, 1 }, labels);
        Assert.Equal(0.55f, avg[0][0], 5);
        Assert.Equal(1.0f / 3, avg[1][0], 5);
        Assert.Equal(1.0, s.Metrics().Top1);
        Assert.Throws<InvalidDataException>(() => s.Add("v1", 1, [0.5f, 0.5f]));
    }

    [Fact]
    public void Recall_at_k_on_hand_built_features()
    {
        // Gallery of 2-d directions: index: angle (deg), label
        //   0: 0 A, 1: 10 B, 2: 20 B, 3: 90 A, 4: 180 C
        float[] g = [.. Dir(0), .. Dir(10), .. Dir(20), .. Dir(90), .. Dir(180)];
        int[] gl = [0, 1, 1, 0, 2];
        // Query 0 at 2 deg, label B: neighbours 0 (A), 1 (B) -> R@1 miss, R@2 hit.
        // Query 1 at 95 deg, label A: nearest 3 (A) -> R@1 hit.
        // Query 2 at 181 deg, label D=3 (no such class in the gallery) -> never a hit.
        // Query 3 at 15 deg (scaled x5: cosine ignores length), label A: order 1,2 (10,20 tie -> lower index), 0, 3 -> first A at rank 3.
        float[] q = [.. Dir(2), .. Dir(95), .. Dir(181), .. Dir(15, 5)];
        int[] ql = [1, 0, 3, 0];
        using Tensor queries = torch.tensor(q, 4, 2), gallery = torch.tensor(g, 5, 2);
        var r = Retrieval.RecallAtK(queries, ql, gallery, gl, [1, 2, 3, 10]);
        Assert.Equal(1.0 / 4, r[1], 12);
        Assert.Equal(2.0 / 4, r[2], 12);
        Assert.Equal(3.0 / 4, r[3], 12);
        Assert.Equal(3.0 / 4, r[10], 12);
    }

    [Fact]
    public void Video_features_are_the_mean_of_each_videos_clips_in_order_of_first_appearance()
    {
        // Clips of videos b, a, b, c (labels 2, 0, 2, 1); features by hand.
        using Tensor f = torch.tensor(new float[] { 1, 0, 3, 3, 3, 4, 0, -2 }, 4, 2);
        using var clips = new ClipFeatures(f.clone(), [new("b", 0, 2), new("a", 0, 0), new("b", 1, 2), new("c", 0, 1)]);
        var (means, labels, ids) = clips.VideoMeans();
        using (means)
        {
            Assert.Equal(["b", "a", "c"], ids);
            Assert.Equal([2, 0, 1], labels);
            Assert.Equal(new float[] { 2, 2, 3, 3, 0, -2 }, means.ToArray<float>());   // b: ((1,0)+(3,4))/2
        }
    }

    private static float[] Dir(double degrees, double length = 1) =>
        [(float)(length * Math.Cos(degrees * Math.PI / 180)), (float)(length * Math.Sin(degrees * Math.PI / 180))];
}
