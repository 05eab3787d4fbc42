namespace CrossVideoMAE.Stages.Sampling;

/// <summary>
/// Clip sampling stage: picks the source frames of each clip of a video from its frame count.
/// Pure and deterministic: the random choices of clip c of video v come from a generator seeded
/// with <see cref="StableHash.Derive"/>(seed, v, c, "clip"), so a rerun, another machine or another
/// order of videos gives the same clips. A video shorter than a clip gives a clip whose missing
/// tail repeats the last frame, flagged <see cref="SampledClip.Padded"/>.
/// </summary>
public sealed class ClipSampler
{
    public const string RandomPurpose = "clip";
    private readonly ClipSamplerOptions _o;

    public ClipSampler(ClipSamplerOptions options)
    {
        _o = options;
        if (options.FramesPerClip < 1) throw new ArgumentOutOfRangeException(nameof(options), "FramesPerClip must be at least 1");
        if (options.Stride < 1) throw new ArgumentOutOfRangeException(nameof(options), "Stride must be at least 1");
        if (options.ClipsPerVideo < 1) throw new ArgumentOutOfRangeException(nameof(options), "ClipsPerVideo must be at least 1");
    }

    public ClipSamplerOptions Options => _o;

    /// <summary>The <see cref="ClipSamplerOptions.ClipsPerVideo"/> clips of one video.</summary>
    public IReadOnlyList<SampledClip> Sample(string videoId, long frameCount)
    {
        ArgumentNullException.ThrowIfNull(videoId);
        if (frameCount < 1 || frameCount > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(frameCount), $"video '{videoId}' has {frameCount} frames; at least 1 is needed");
        int n = (int)frameCount;
        var clips = new SampledClip[_o.ClipsPerVideo];
        for (int c = 0; c < clips.Length; c++)
        {
            var rng = new SplitMix64(StableHash.Derive(_o.Seed, videoId, c, RandomPurpose));
            clips[c] = _o.Mode == ClipSamplingMode.Strided ? Strided(n, c, ref rng) : Segments(n, c, ref rng);
        }
        return clips;
    }

    private SampledClip Strided(int n, int clip, ref SplitMix64 rng)
    {
        int t = _o.FramesPerClip, stride = _o.Stride;
        var indices = new int[t];
        if (n < _o.Span)
        {
            for (int i = 0; i < t; i++) indices[i] = Math.Min(i * stride, n - 1);
            return new SampledClip(clip, indices, Padded: true);
        }
        int maxStart = n - _o.Span;
        int start = _o.Training ? rng.NextInt(maxStart + 1) : EvenlySpaced(maxStart, clip, _o.ClipsPerVideo);
        for (int i = 0; i < t; i++) indices[i] = start + i * stride;
        return new SampledClip(clip, indices, Padded: false);
    }

    private SampledClip Segments(int n, int clip, ref SplitMix64 rng)
    {
        int t = _o.FramesPerClip;
        var indices = new int[t];
        if (n < t)
        {
            for (int i = 0; i < t; i++) indices[i] = Math.Min(i, n - 1);
            return new SampledClip(clip, indices, Padded: true);
        }
        for (int i = 0; i < t; i++)
        {
            // Segment i holds frames [lo, hi]; every segment has at least one frame because n >= t.
            int lo = (int)((long)i * n / t);
            int hi = (int)((long)(i + 1) * n / t) - 1;
            int length = hi - lo + 1;
            int offset = _o.Training
                ? rng.NextInt(length)
                : (int)((long)length * (2 * clip + 1) / (2 * _o.ClipsPerVideo));   // middle for one clip
            indices[i] = lo + offset;
        }
        return new SampledClip(clip, indices, Padded: false);
    }

    // Evaluation starts: the centre for one clip, else k * maxStart / (K - 1), from first to last possible start.
    private static int EvenlySpaced(int maxStart, int k, int count)
        => count == 1 ? maxStart / 2 : (int)Math.Round((double)maxStart * k / (count - 1), MidpointRounding.AwayFromZero);
}
