using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// Mirrors a sample left-right with probability P; a clip is mirrored as a whole (every frame or
/// none). Use P = 0 for datasets whose labels depend on left and right (Something-Something v2).
/// </summary>
public sealed class RandomHorizontalFlip
{
    public RandomHorizontalFlip(double p = 0.5)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "flip probability must be in [0, 1]");
        P = p;
    }

    public double P { get; }

    /// <summary>One decision per sample, drawn in sample order.</summary>
    public bool[] Sample(AugmentRandom rng, int count)
    {
        var flips = new bool[count];
        for (int i = 0; i < count; i++) flips[i] = rng.Bernoulli(P);
        return flips;
    }

    /// <summary>Returns a new tensor: <c>x [B, ..., W]</c> with the samples whose flag is set
    /// mirrored along the last dimension.</summary>
    public static Tensor Apply(Tensor x, bool[] flips)
    {
        if (x.size(0) != flips.Length)
            throw new ArgumentException($"{flips.Length} flip flags for a batch of {x.size(0)}", nameof(flips));
        int[] chosen = Enumerable.Range(0, flips.Length).Where(i => flips[i]).ToArray();
        if (chosen.Length == flips.Length) return x.flip(-1);
        if (chosen.Length == 0) return x.clone();
        using var scope = torch.NewDisposeScope();
        Tensor result = x.clone();
        Tensor index = torch.tensor(chosen.Select(i => (long)i).ToArray(), chosen.Length).to(x.device);
        result.index_put_(x.index_select(0, index).flip(-1), false, index);
        return scope.MoveToOuter(result);
    }
}
