using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Pipeline.Train.Distributed;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// Frozen-encoder features of every clip of a split: <c>Features [N, D]</c> (CPU float32, the mean of
/// all encoder tokens of the clip's first spatial view, no masking) and the clip each row came from.
/// With a data-parallel group every rank reads the split, runs the encoder on every W-th batch only
/// (rank r on batches r, r + W, ...) and leaves zeros in the others' rows; one all-reduce (sum) then
/// gives every rank all features, exactly (x + 0 = x).
/// </summary>
public sealed class ClipFeatures(Tensor features, IReadOnlyList<ClipKey> clips) : IDisposable
{
    public Tensor Features { get; } = features;
    public IReadOnlyList<ClipKey> Clips { get; } = clips;
    public int[] Labels => Clips.Select(c => c.Label).ToArray();

    public static async Task<ClipFeatures> ExtractAsync(LabelledClipLoader loader, string split, FeatureExtractor extractor,
        EvalTransform transform, int batchSize, Device device, int maxClipsPerVideo = int.MaxValue, CancellationToken ct = default, IRankGroup? group = null)
    {
        int world = group?.WorldSize ?? 1, rank = group?.Rank ?? 0, index = 0;
        var parts = new List<Tensor>();
        var keys = new List<ClipKey>();
        try
        {
            await foreach (LabelledClipBatch batch in loader.ReadAsync(split, transform, batchSize, maxClipsPerVideo, ct).ConfigureAwait(false))
                using (batch)
                using (var scope = torch.NewDisposeScope())
                {
                    bool mine = index++ % world == rank;
                    Tensor part = mine
                        ? extractor.Extract(batch.Views.select(1, 0).to(device)).cpu()          // [B, 3, T, S, S] -> [B, D]
                        : torch.zeros([batch.Views.size(0), extractor.Dim]);                     // another rank's rows
                    parts.Add(scope.MoveToOuter(part).DetachFromDisposeScope());
                    keys.AddRange(batch.Clips);
                }
            if (parts.Count == 0) throw new InvalidDataException($"{loader.IndexPath}: split '{split}' has no clips");
            Tensor all = torch.cat(parts, 0).DetachFromDisposeScope();                   // [N, D]
            if (world > 1) group!.AllReduceSum([all]);
            return new ClipFeatures(all, keys);
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
