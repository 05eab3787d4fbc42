using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

public sealed record RetrievalRequest(string Manifest, string? Weights, bool RandomInit, string? ConfigName, int? Size,
    string GallerySplit, string? QuerySplit, int BatchSize, Device Device, ulong Seed, bool PerClip = false);

public sealed record RetrievalReport(string Weights, bool RandomInit, string Config, int ClipLength, int Size,
    string QuerySplit, string GallerySplit, string Level, int Queries, int Gallery, Dictionary<string, double> Recall, string Features);

/// <summary>
/// Video retrieval: encoder features (mean of all tokens, centre crop) of the held-out split are the
/// queries, the train split's the gallery; one feature per video, the mean over its clips (per clip with
/// <see cref="RetrievalRequest.PerClip"/>); cosine nearest neighbours; Recall@1/5/10.
/// </summary>
public static class RetrievalRun
{
    public static async Task<RetrievalReport> RunAsync(RetrievalRequest q, TextWriter log, CancellationToken ct = default)
    {
        if (q.Weights is null && !q.RandomInit) throw new ArgumentException("give --weights, or --random-init for the random-encoder baseline");
        LabelledClipLoader loader = await LabelledClipLoader.OpenAsync(q.Manifest, ct);
        string querySplit = await loader.HeldOutSplitAsync(q.QuerySplit, ct);
        using ModelWeights? weights = q.Weights is null ? null : ModelWeights.Load(q.Weights);
        ModelConfig config = DownstreamSetup.ResolveConfig(q.ConfigName ?? (weights is null ? "tiny" : null), weights);
        int size = DownstreamSetup.InputSize(q.Size, weights, config, loader.ClipLength);
        using VideoClassifier model = DownstreamSetup.Classifier(config, loader.ClipLength, size, Math.Max(1, loader.NumClasses), 0, 0, 0.01, q.Seed);
        if (!q.RandomInit) WeightsLoader.LoadEncoder(model.encoder, weights!, WeightsLoader.VideoPrefixes);
        model.to(q.Device);
        model.eval();
        var extractor = new FeatureExtractor(model.encoder);
        var transform = DownstreamSetup.CenterCrop(size);
        using ClipFeatures gallery = await ClipFeatures.ExtractAsync(loader, q.GallerySplit, extractor, transform, q.BatchSize, q.Device, ct: ct);
        using ClipFeatures queries = await ClipFeatures.ExtractAsync(loader, querySplit, extractor, transform, q.BatchSize, q.Device, ct: ct);
        string level = q.PerClip ? "clip" : "video";
        Dictionary<int, double> recall;
        int queryCount, galleryCount;
        if (q.PerClip)
        {
            recall = new(Retrieval.RecallAtK(queries.Features, queries.Labels, gallery.Features, gallery.Labels, Retrieval.DefaultKs));
            (queryCount, galleryCount) = (queries.Clips.Count, gallery.Clips.Count);
        }
        else
        {
            var (qf, ql, qv) = queries.VideoMeans();
            var (gf, gl, gv) = gallery.VideoMeans();
            using (qf)
            using (gf)
                recall = new(Retrieval.RecallAtK(qf, ql, gf, gl, Retrieval.DefaultKs));
            (queryCount, galleryCount) = (qv.Length, gv.Length);
        }
        log.WriteLine($"retrieval: {queryCount} '{querySplit}' {level} queries against {galleryCount} '{q.GallerySplit}' {level}s: " +
                      string.Join(", ", recall.Select(kv => $"R@{kv.Key} {kv.Value:P2}")));
        return new RetrievalReport(q.RandomInit ? "random-init" : weights!.Path, q.RandomInit, config.Name, loader.ClipLength, size,
            querySplit, q.GallerySplit, level, queryCount, galleryCount,
            recall.ToDictionary(kv => $"R@{kv.Key}", kv => kv.Value),
            $"mean of all encoder tokens (no final norm), centre crop, one vector per clip{(q.PerClip ? "" : ", averaged per video over its clips")}; cosine similarity");
    }
}
