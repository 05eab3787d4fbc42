using CrossVideoMAE.Stages.Sampling;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// A few-label probe's training set: <c>n</c> labelled videos of each class, every clip of each.
/// The videos of a class are put in a seeded order (sorted ids, then a SplitMix64 shuffle) and the
/// first n are kept, so the choice depends only on the ids, the class and the seed. A class with
/// n or fewer videos keeps all of them.
/// </summary>
public static class LabelSubset
{
    /// <summary>Rows of <paramref name="clips"/> that belong to the chosen videos, in their original order.</summary>
    public static long[] Rows(IReadOnlyList<ClipKey> clips, int videosPerClass, ulong seed)
    {
        if (videosPerClass < 1) throw new ArgumentOutOfRangeException(nameof(videosPerClass), videosPerClass, "labelled videos per class must be at least 1");
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (IGrouping<int, string> cls in clips.Select(c => (c.Label, c.VideoId)).Distinct().GroupBy(x => x.Label, x => x.VideoId))
        {
            string[] ids = cls.Order(StringComparer.Ordinal).ToArray();
            var rng = new SplitMix64(StableHash.Derive(seed, "class", cls.Key, "label-subset"));
            for (int i = ids.Length - 1; i > 0; i--)   // Fisher-Yates
            {
                int j = rng.NextInt(i + 1);
                (ids[i], ids[j]) = (ids[j], ids[i]);
            }
            chosen.UnionWith(ids.Take(videosPerClass));
        }
        return Enumerable.Range(0, clips.Count).Where(i => chosen.Contains(clips[i].VideoId)).Select(i => (long)i).ToArray();
    }
}
