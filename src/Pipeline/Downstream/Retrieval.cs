using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// Nearest-neighbour retrieval (docs/method.md): every query (test feature) ranks the gallery (train
/// features) by cosine similarity; Recall@k is the fraction of queries with at least one gallery
/// item of the same class among their k nearest. Ties in similarity go to the lower gallery index.
/// </summary>
public static class Retrieval
{
    public static readonly int[] DefaultKs = [1, 5, 10];

    /// <param name="queries">[Q, D]</param>
    /// <param name="gallery">[G, D]</param>
    public static IReadOnlyDictionary<int, double> RecallAtK(Tensor queries, IReadOnlyList<int> queryLabels,
        Tensor gallery, IReadOnlyList<int> galleryLabels, IReadOnlyList<int> ks)
    {
        if (queries.dim() != 2 || gallery.dim() != 2 || queries.size(1) != gallery.size(1))
            throw new ArgumentException($"queries [{string.Join(", ", queries.shape)}] and gallery [{string.Join(", ", gallery.shape)}] must be [Q, D] and [G, D]");
        if (queries.size(0) != queryLabels.Count || gallery.size(0) != galleryLabels.Count)
            throw new ArgumentException("one label per query and per gallery item is needed");
        if (gallery.size(0) == 0) throw new ArgumentException("the gallery is empty");
        long g = gallery.size(0);
        float[] sim;
        using (var scope = torch.NewDisposeScope())
        {
            Tensor q = torch.nn.functional.normalize(queries.to(ScalarType.Float32), 2, 1);  // [Q, D]
            Tensor gl = torch.nn.functional.normalize(gallery.to(ScalarType.Float32), 2, 1); // [G, D]
            sim = q.matmul(gl.t()).cpu().contiguous().ToArray<float>();                      // [Q, G]
        }
        var result = new Dictionary<int, double>();
        int maxK = ks.Max();
        var hitsAt = new int[ks.Count];
        for (int i = 0; i < queryLabels.Count; i++)
        {
            int row = i;
            int[] ranked = Enumerable.Range(0, (int)g).OrderByDescending(j => sim[row * g + j]).ThenBy(j => j).Take(maxK).ToArray();
            int firstHit = Array.FindIndex(ranked, j => galleryLabels[j] == queryLabels[row]);
            for (int m = 0; m < ks.Count; m++)
                if (firstHit >= 0 && firstHit < ks[m]) hitsAt[m]++;
        }
        for (int m = 0; m < ks.Count; m++) result[ks[m]] = queryLabels.Count == 0 ? 0 : (double)hitsAt[m] / queryLabels.Count;
        return result;
    }
}
