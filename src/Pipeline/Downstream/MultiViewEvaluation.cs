using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// Multi-view testing of a classifier: every view (K temporal clips x V spatial crops) of every video
/// goes through the model; the softmax scores of a video's views are averaged (<see cref="VideoScores"/>).
/// </summary>
public static class MultiViewEvaluation
{
    public static async Task<VideoScores> ScoreAsync(VideoClassifier model, LabelledClipLoader loader, string split,
        int clips, int spatialCrops, int size, int batchSize, Device device, CancellationToken ct = default)
    {
        model.eval();
        var scores = new VideoScores(loader.NumClasses);
        var transform = DownstreamSetup.Views(size, spatialCrops);
        await foreach (LabelledClipBatch batch in loader.ReadAsync(split, transform, batchSize, clips, ct).ConfigureAwait(false))
            using (batch)
            {
                float[] p;
                long views = batch.Views.size(1), k = loader.NumClasses;
                using (torch.no_grad())
                using (var scope = torch.NewDisposeScope())
                {
                    long[] s = batch.Views.shape;                                                   // [B, V, 3, T, S, S]
                    Tensor flat = batch.Views.reshape(s[0] * s[1], s[2], s[3], s[4], s[5]).to(device); // [B*V, 3, T, S, S]
                    Tensor logits = model.forward(flat);                                            // [B*V, K]
                    if (logits.size(1) != k)
                        throw new InvalidDataException($"the classifier has {logits.size(1)} classes but {loader.IndexPath} has {k}");
                    p = torch.nn.functional.softmax(logits.to(ScalarType.Float32), 1).cpu().contiguous().ToArray<float>();
                }
                for (int i = 0; i < batch.Count; i++)
                    for (int v = 0; v < views; v++)
                        scores.Add(batch.Clips[i].VideoId, batch.Clips[i].Label, p.AsSpan((int)((i * views + v) * k), (int)k));
            }
        return scores;
    }
}
