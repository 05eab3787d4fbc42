using System.Text;

namespace CrossVideoMAE.Stages.Sampling;

/// <summary>
/// Hashes that are the same in every process, machine and .NET version (unlike
/// <see cref="string.GetHashCode()"/>, which is randomised per process): FNV-1a 64 over UTF-8,
/// and the SplitMix64 finaliser to mix in numbers.
/// </summary>
public static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>FNV-1a 64-bit hash of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a64(string text)
    {
        ulong h = FnvOffset;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            h ^= b;
            h *= FnvPrime;
        }
        return h;
    }

    /// <summary>The SplitMix64 output function: a bijective, well-mixing map of 64-bit values.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A seed for one (run seed, video, clip, purpose) combination. <paramref name="purpose"/>
    /// keeps the streams of different samplers independent for the same clip.</summary>
    public static ulong Derive(ulong seed, string videoId, long clipIndex, string purpose)
    {
        ulong h = Mix(seed ^ 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ Fnv1a64(videoId));
        h = Mix(h ^ unchecked((ulong)clipIndex));
        return Mix(h ^ Fnv1a64(purpose));
    }
}
