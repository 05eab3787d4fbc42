using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.KeyMaps;

/// <summary>mae_st's separable positions as one joint table: position (t, s) gets spatial[s] + temporal[t].</summary>
public static class SeparablePosEmbed
{
    /// <summary>spatial [1, H*W, D] and temporal [1, T, D] -> [1, T*H*W, D] (time slowest), as mae_st's forward adds them.</summary>
    public static Tensor Join(Tensor spatial, Tensor temporal)
    {
        long[] s = spatial.shape, t = temporal.shape;
        if (s.Length != 3 || t.Length != 3 || s[0] != 1 || t[0] != 1 || s[2] != t[2])
            throw new ArgumentException($"cannot join spatial [{string.Join(", ", s)}] and temporal [{string.Join(", ", t)}] positions; expected [1, H*W, D] and [1, T, D]");
        using var scope = torch.NewDisposeScope();
        Tensor joint = spatial.repeat(1, t[1], 1) + temporal.repeat_interleave(s[1], 1); // [1, T*H*W, D]
        return scope.MoveToOuter(joint).DetachFromDisposeScope();
    }
}
