namespace CrossVideoMAE.Stages.Sampling;

/// <summary>
/// Frame sampling stage: chooses the n frames of a clip that the image branch sees. Random choices
/// of clip c of video v come from <see cref="StableHash.Derive"/>(seed, v, c, "frames"), independent
/// of the clip sampler's stream.
/// </summary>
public sealed class FrameSampler
{
    public const string RandomPurpose = "frames";
    private readonly FrameSamplerOptions _o;

    public FrameSampler(FrameSamplerOptions? options = null)
    {
        _o = options ?? new FrameSamplerOptions();
        if (_o.Count < 1) throw new ArgumentOutOfRangeException(nameof(options), "Count must be at least 1");
    }

    public SampledFrames Sample(string videoId, SampledClip clip)
    {
        ArgumentNullException.ThrowIfNull(videoId);
        int t = clip.Length, n = _o.Count;
        if (n > t) throw new ArgumentException($"cannot choose {n} frames from a clip of {t}", nameof(clip));

        int[] positions = _o.Selection switch
        {
            FrameSelection.First => Enumerable.Range(0, n).ToArray(),
            FrameSelection.Middle => Enumerable.Range((t - n) / 2, n).ToArray(),
            FrameSelection.Random => RandomDistinct(t, n, new SplitMix64(StableHash.Derive(_o.Seed, videoId, clip.ClipIndex, RandomPurpose))),
            _ => throw new ArgumentOutOfRangeException(nameof(clip), $"unknown selection {_o.Selection}"),
        };
        return new SampledFrames(positions, positions.Select(p => clip.FrameIndices[p]).ToArray());
    }

    // The first n of a partial Fisher-Yates shuffle of 0..t-1, sorted.
    private static int[] RandomDistinct(int t, int n, SplitMix64 rng)
    {
        int[] all = Enumerable.Range(0, t).ToArray();
        for (int i = 0; i < n; i++)
        {
            int j = i + rng.NextInt(t - i);
            (all[i], all[j]) = (all[j], all[i]);
        }
        int[] chosen = all[..n];
        Array.Sort(chosen);
        return chosen;
    }
}
