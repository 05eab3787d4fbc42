namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// Multi-view testing: the softmax scores of every view (temporal clip x spatial crop) of a video,
/// averaged per video. Videos keep the order in which they were first seen.
/// </summary>
public sealed class VideoScores(int numClasses)
{
    private readonly Dictionary<string, (int label, double[] sum, int views)> videos = new(StringComparer.Ordinal);
    private readonly List<string> order = [];

    public int NumClasses { get; } = numClasses;
    public int Videos => order.Count;
    public int Views => videos.Values.Sum(v => v.views);

    public void Add(string videoId, int label, ReadOnlySpan<float> probabilities)
    {
        if (probabilities.Length != NumClasses) throw new ArgumentException($"video '{videoId}': {probabilities.Length} scores, expected {NumClasses}");
        if (!videos.TryGetValue(videoId, out var entry))
        {
            entry = (label, new double[NumClasses], 0);
            order.Add(videoId);
        }
        else if (entry.label != label)
            throw new InvalidDataException($"video '{videoId}' has clips labelled {entry.label} and {label}");
        for (int c = 0; c < NumClasses; c++) entry.sum[c] += probabilities[c];
        videos[videoId] = (entry.label, entry.sum, entry.views + 1);
    }

    /// <summary>Video ids, their labels and their averaged scores, in first-seen order.</summary>
    public (IReadOnlyList<string> ids, IReadOnlyList<int> labels, IReadOnlyList<float[]> scores) Averaged()
    {
        var labels = new List<int>();
        var scores = new List<float[]>();
        foreach (string id in order)
        {
            var (label, sum, views) = videos[id];
            labels.Add(label);
            scores.Add(sum.Select(v => (float)(v / views)).ToArray());
        }
        return (order, labels, scores);
    }

    public ClassificationMetrics Metrics()
    {
        var (_, labels, scores) = Averaged();
        return ClassificationMetrics.Compute(scores, labels, NumClasses);
    }
}
