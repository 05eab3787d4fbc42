using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// Frozen-encoder features of every clip of a split: <c>Features [N, D]</c> (CPU float32, the mean of
/// all encoder tokens of the clip's first spatial view, no masking) and the clip each row came from.
/// </summary>
public sealed class ClipFeatures(Tensor features, IReadOnlyList<ClipKey> clips) : IDisposable
{
    public Tensor Features { get; } = features;
    public IReadOnlyList<ClipKey> Clips { get; } = clips;
    public int[] Labels => Clips.Select(c => c.Label).ToArray();

    public static async Task<ClipFeatures> ExtractAsync(LabelledClipLoader loader, string split, FeatureExtractor extractor,
        EvalTransform transform, int batchSize, Device device, int maxClipsPerVideo = int.MaxValue, CancellationToken ct = default)
    {
        var parts = new List<Tensor>();
        var keys = new List<ClipKey>();
        try
        {
            await foreach (LabelledClipBatch batch in loader.ReadAsync(split, transform, batchSize, maxClipsPerVideo, ct).ConfigureAwait(false))
                using (batch)
                using (var scope = torch.NewDisposeScope())
                {
                    Tensor video = batch.Views.select(1, 0).to(device);               // [B, 3, T, S, S]
                    parts.Add(scope.MoveToOuter(extractor.Extract(video).cpu()).DetachFromDisposeScope()); // [B, D]
                    keys.AddRange(batch.Clips);
                }
            if (parts.Count == 0) throw new InvalidDataException($"{loader.IndexPath}: split '{split}' has no clips");
            return new ClipFeatures(torch.cat(parts, 0).DetachFromDisposeScope(), keys); // [N, D]
        }
        finally
        {
            foreach (Tensor t in parts) t.Dispose();
        }
    }

    /// <summary>One feature per video, the mean of its clips' features, with the video's label; videos in
    /// the order their first clip appears. Features [V, D].</summary>
    public (Tensor Features, int[] Labels, string[] VideoIds) VideoMeans()
    {
        var rowsOf = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        var order = new List<ClipKey>();
        for (int i = 0; i < Clips.Count; i++)
        {
            if (!rowsOf.TryGetValue(Clips[i].VideoId, out var rows))
            {
                rowsOf[Clips[i].VideoId] = rows = [];
                order.Add(Clips[i]);
            }
            rows.Add(i);
        }
        using var scope = torch.NewDisposeScope();
        var means = order.Select(c =>
        {
            long[] rows = rowsOf[c.VideoId].ToArray();
            return Features.index_select(0, torch.tensor(rows, rows.Length)).mean(0);   // [D]
        }).ToList();
        Tensor stacked = torch.stack(means, 0);                                            // [V, D]
        return (scope.MoveToOuter(stacked), order.Select(c => c.Label).ToArray(), order.Select(c => c.VideoId).ToArray());
    }

    /// <summary>The rows <paramref name="rows"/> (in that order) as features of their own.</summary>
    public ClipFeatures Subset(long[] rows)
    {
        if (rows.Length == 0) throw new InvalidDataException("no clips left for the probe's training set");
        using Tensor index = torch.tensor(rows, rows.Length);
        return new ClipFeatures(Features.index_select(0, index).DetachFromDisposeScope(), rows.Select(r => Clips[(int)r]).ToArray()); // [n, D]
    }

    public void Dispose() => Features.Dispose();
}
