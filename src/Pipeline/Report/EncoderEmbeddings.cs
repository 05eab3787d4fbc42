using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>One encoder's per-video embeddings projected on their first two principal components.</summary>
/// <param name="Coordinates">[V] (PC1, PC2) per video</param>
/// <param name="Labels">[V] class index per video</param>
/// <param name="Explained">share of the total variance that PC1 and PC2 explain</param>
public sealed record EmbeddingMap(string Encoder, IReadOnlyList<(double x, double y)> Coordinates, int[] Labels, string[] VideoIds, (double pc1, double pc2) Explained);

/// <summary>
/// The embedding map of an encoder on one split: the frozen encoder's features of each clip (the
/// linear probe's: mean of all tokens, centre crop), averaged per video [V, D], then <see cref="Pca"/>.
/// </summary>
public static class EncoderEmbeddings
{
    /// <param name="weights">encoder weights (any format linprobe reads), or null for a random encoder of <paramref name="config"/></param>
    public static async Task<EmbeddingMap> MapAsync(string name, ModelWeights? weights, ModelConfig config, int size, LabelledClipLoader loader,
        string split, int batchSize, Device device, ulong seed, CancellationToken ct)
    {
        using VideoClassifier model = DownstreamSetup.Classifier(config, loader.ClipLength, size, Math.Max(1, loader.NumClasses), 0, 0, 0.01, seed);
        if (weights is not null) WeightsLoader.LoadEncoder(model.encoder, weights, WeightsLoader.VideoPrefixes);
        model.to(device);
        model.eval();
        using ClipFeatures clips = await ClipFeatures.ExtractAsync(loader, split, new FeatureExtractor(model.encoder), DownstreamSetup.CenterCrop(size), batchSize, device, ct: ct);
        var (features, labels, videos) = clips.VideoMeans();                    // [V, D]
        double[][] rows;
        using (features)
        using (Tensor f = features.to(ScalarType.Float64).contiguous())
        {
            double[] flat = f.ToArray<double>();
            int d = (int)f.size(1);
            rows = Enumerable.Range(0, videos.Length).Select(i => flat.AsSpan(i * d, d).ToArray()).ToArray();
        }
        if (rows.Length < 3) throw new InvalidDataException($"{loader.IndexPath}: split '{split}' has {rows.Length} videos; an embedding map needs at least 3");
        var (coords, variance) = Pca.Project(rows, 2);
        double total = TotalVariance(rows);
        return new EmbeddingMap(name, coords.Select(c => (c[0], c[1])).ToList(), labels, videos,
            total > 0 ? (variance[0] / total, variance[1] / total) : (0, 0));
    }

    /// <summary>Sum over dimensions of the sample variance (divisor N - 1), the trace of the covariance.</summary>
    public static double TotalVariance(double[][] rows)
    {
        int n = rows.Length, d = rows[0].Length;
        double total = 0;
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += rows[i][j] / n;
            for (int i = 0; i < n; i++) total += (rows[i][j] - mean) * (rows[i][j] - mean) / (n - 1);
        }
        return total;
    }
}
