using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// The random source of the augmentations. Every random parameter (crop boxes, flips, operation
/// choices, erasing boxes, mixup lambda) is drawn on the CPU from a seeded managed
/// <see cref="System.Random"/>; noise tensors (random-erasing pixels) are filled on the CPU by
/// <c>AugmentKernels.normal_fill_</c> from seeds given out by <see cref="NextNoiseSeed"/> (a stream
/// of its own, so noise never shifts the parameters) and then moved to the data's device. The same
/// seed therefore gives the same augmentation on every device. Not thread-safe: use one instance per
/// batch (<see cref="ForBatch"/> derives independent seeds from (seed, epoch, batch)). Holds no
/// native state, so there is nothing to dispose.
/// </summary>
public sealed class AugmentRandom
{
    private readonly Random random;
    private ulong noiseState;

    public AugmentRandom(ulong seed)
    {
        Seed = seed;
        random = new Random(unchecked((int)(Mix(seed) & 0x7FFF_FFFF)));
        noiseState = Mix(seed ^ 0x9E37_79B9_7F4A_7C15UL);
    }

    /// <summary>The seed this source was created with.</summary>
    public ulong Seed { get; }

    /// <summary>The seed of the next noise tensor: the SplitMix64 sequence of this source's noise
    /// stream (independent of the parameter draws).</summary>
    public ulong NextNoiseSeed()
    {
        noiseState = unchecked(noiseState + 0x9E37_79B9_7F4A_7C15UL);
        return Mix(noiseState);
    }

    /// <summary>A source whose seed depends only on (seed, epoch, batch), so batches can be
    /// augmented in any order or in parallel and still come out the same.</summary>
    public static AugmentRandom ForBatch(ulong seed, long epoch, long batch) =>
        new(Mix(Mix(seed) ^ Mix(unchecked((ulong)epoch) + 0x632B_E59B_D9B4_E019UL) ^ unchecked((ulong)batch)));

    /// <summary>A source whose seed depends only on (seed, epoch, position of the sample in the
    /// epoch's order): the draws of one sample, whatever batch or rank it is trained in.</summary>
    public static AugmentRandom ForSample(ulong seed, long epoch, long position) =>
        new(Mix(Mix(seed ^ 0xD1B5_4A32_D192_ED03UL) ^ Mix(unchecked((ulong)epoch) + 0x632B_E59B_D9B4_E019UL) ^ Mix(unchecked((ulong)position))));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * random.NextDouble();

    /// <summary>An integer uniform in [lo, hi] (both ends included).</summary>
    public int IntInclusive(int lo, int hi)
    {
        if (hi < lo) throw new ArgumentOutOfRangeException(nameof(hi), hi, $"empty range [{lo}, {hi}]");
        return random.Next(lo, hi + 1);
    }

    /// <summary>An integer uniform in [0, count).</summary>
    public int Index(int count)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "need at least one choice");
        return random.Next(count);
    }

    /// <summary>True with probability p.</summary>
    public bool Bernoulli(double p) => p > 0 && random.NextDouble() < p;

    /// <summary>A standard normal draw (Box–Muller on two uniforms).</summary>
    public double Normal()
    {
        double u1 = 1.0 - random.NextDouble(); // (0, 1]
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 use the
    /// boost Gamma(a) = Gamma(a + 1) · U^(1/a).</summary>
    public double Gamma(double shape)
    {
        if (!(shape > 0)) throw new ArgumentOutOfRangeException(nameof(shape), shape, "gamma shape must be positive");
        if (shape < 1)
        {
            double u = 1.0 - random.NextDouble();
            return Gamma(shape + 1) * Math.Pow(u, 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1.0 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = random.NextDouble();
            if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1.0 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).</summary>
    public double Beta(double a, double b)
    {
        double x = Gamma(a), y = Gamma(b);
        double s = x + y;
        return s > 0 ? x / s : 0.5;
    }

    // SplitMix64 finaliser: spreads nearby seeds over the whole 64-bit range.
    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z += 0x9E37_79B9_7F4A_7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
            return z ^ (z >> 31);
        }
    }
}
