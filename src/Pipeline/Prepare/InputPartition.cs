using CrossVideoMAE.Stages.Sampling;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// A stable partition of a manifest for scale-out (--shard-index i --num-shards n): a video
/// belongs to part hash(video id) mod n, so every machine of a Kubernetes indexed Job or a
/// Slurm array agrees on the split whatever the manifest order, and the parts are disjoint
/// and cover every input.
/// </summary>
public sealed record InputPartition(int Index, int Count)
{
    public static readonly InputPartition Whole = new(0, 1);

    public static InputPartition Create(int index, int count)
    {
        if (count < 1) throw new ArgumentException($"--num-shards must be at least 1 (got {count})");
        if (index < 0 || index >= count) throw new ArgumentException($"--shard-index must be in [0, {count - 1}] (got {index})");
        return new InputPartition(index, count);
    }

    public bool Contains(string videoId) => Count == 1 || (int)(StableHash.Derive(0, videoId, 0, "partition") % (ulong)Count) == Index;

    /// <summary>File-name tag of this part ("" for the whole dataset).</summary>
    public string Tag => Count == 1 ? "" : $"-part{Index:D3}of{Count:D3}";
}
