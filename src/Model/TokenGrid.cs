namespace CrossVideoMAE.Model;

/// <summary>
/// The layout of a token sequence: T temporal slices of H x W spatial positions, flattened in
/// (t, h, w) order, so token l sits at t = l / (H*W). Images have <see cref="HasTime"/> false and T = 1.
/// </summary>
public readonly record struct TokenGrid(long T, long H, long W, bool HasTime = true)
{
    public static TokenGrid Image(long h, long w) => new(1, h, w, HasTime: false);

    /// <summary>Tokens per temporal slice.</summary>
    public long Spatial => H * W;

    /// <summary>All tokens.</summary>
    public long Length => T * H * W;

    public override string ToString() => HasTime ? $"{T}x{H}x{W}" : $"{H}x{W}";
}
