namespace CrossVideoMAE.Stages.Sampling;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014; Vigna's reference C code): a tiny, fast generator
/// with a 64-bit state, used for sampling decisions that must replay exactly from a seed.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        _state = unchecked(_state + 0x9E3779B97F4A7C15UL);
        return StableHash.Mix(_state);
    }

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (rejection sampling).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), "must be positive");
        ulong n = (ulong)maxExclusive;
        ulong limit = ulong.MaxValue - ulong.MaxValue % n;   // largest multiple of n, exclusive
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (int)(x % n);
    }

    /// <summary>Uniform double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
