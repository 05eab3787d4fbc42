using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Masking;

/// <summary>
/// Masking by units of a token grid: a unit is a token (random), a spatial position through all
/// temporal slices (tube) or a whole temporal slice (frame). Per sample, uniform noise is drawn
/// for every unit from the given generator and the floor(U*(1-rho)) units with the smallest noise
/// stay visible (the argsort of MAE's random_masking); each sample of a batch gets its own mask,
/// and each call (each view) draws new noise.
/// </summary>
public abstract class TokenMasking
{
    public TokenGrid Grid { get; }
    public double Ratio { get; }

    /// <summary>Units (U) the noise is drawn over.</summary>
    public abstract long Units { get; }

    /// <summary>Units left visible: floor(U*(1-rho)) (a 1e-9 guard keeps 10*(1-0.9) at 1, not 0).</summary>
    public long KeptUnits => (long)Math.Floor(Units * (1.0 - Ratio) + 1e-9);

    /// <summary>Tokens left visible per sample.</summary>
    public long KeptTokens => KeptUnits * (Grid.Length / Units);

    protected TokenMasking(TokenGrid grid, double ratio)
    {
        if (ratio is < 0 or >= 1 || double.IsNaN(ratio))
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "mask ratio must be in [0, 1)");
        Grid = grid;
        Ratio = ratio;
    }

    public static TokenMasking Create(MaskingKind kind, TokenGrid grid, double ratio)
    {
        TokenMasking m = kind switch
        {
            MaskingKind.Random => new RandomMasking(grid, ratio),
            MaskingKind.Tube => new TubeMasking(grid, ratio),
            MaskingKind.Frame => new FrameMasking(grid, ratio),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown masking kind"),
        };
        if (m.KeptUnits < 1)
            throw new ArgumentException(
                $"{kind} masking at ratio {ratio} over a {grid} token grid leaves no visible token ({m.Units} units); lower the ratio or enlarge the input");
        return m;
    }

    /// <summary>Spreads per-unit noise [B, U] to per-token noise [B, L].</summary>
    protected abstract Tensor ToTokens(Tensor unitNoise);

    /// <summary>Draws a mask for every sample of a batch.</summary>
    public MaskingResult Sample(long batch, Generator? generator = null, Device? device = null) =>
        Sample(batch, 1, MaskNoise.FromGenerator(generator), device);

    /// <summary>Draws a mask for each of the batch x <paramref name="rowsPerSample"/> rows (e.g. the n
    /// frames of each sample), the noise of sample i's rows from <paramref name="source"/>'s source for i.</summary>
    public MaskingResult Sample(long batch, long rowsPerSample, MaskNoise source, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        Tensor noise = ToTokens(source.Draw(batch, rowsPerSample, Units, device ?? Device.CPU)); // [B*r, L]
        batch *= rowsPerSample;
        Tensor idsShuffle = noise.sort(1, descending: false, stable: true).indices;     // [B*r, L], visible first
        Tensor idsRestore = idsShuffle.argsort(1);                                       // [B, L]
        Tensor idsKeep = idsShuffle.narrow(1, 0, KeptTokens);                            // [B, Lv]
        Tensor mask = torch.ones([batch, Grid.Length], device: device);                  // [B, L] in shuffled order
        mask.narrow(1, 0, KeptTokens).zero_();                                           // the first Lv are visible
        mask = mask.gather(1, idsRestore);                                               // [B, L] in token order
        return new MaskingResult(
            scope.MoveToOuter(idsKeep.contiguous()), scope.MoveToOuter(mask), scope.MoveToOuter(idsRestore));
    }
}

/// <summary>Every token is a unit: keep floor(L*(1-rho)) tokens.</summary>
public sealed class RandomMasking(TokenGrid grid, double ratio) : TokenMasking(grid, ratio)
{
    public override long Units => Grid.Length;
    protected override Tensor ToTokens(Tensor unitNoise) => unitNoise.alias();
}

/// <summary>A unit is a spatial position: the same spatial mask in every temporal slice.</summary>
public sealed class TubeMasking(TokenGrid grid, double ratio) : TokenMasking(grid, ratio)
{
    public override long Units => Grid.Spatial;

    // [B, HW] -> [B, T, HW] -> [B, L]: token (t, s) takes noise[s]
    protected override Tensor ToTokens(Tensor unitNoise) =>
        unitNoise.unsqueeze(1).expand(unitNoise.size(0), Grid.T, Grid.Spatial).reshape(unitNoise.size(0), Grid.Length);
}

/// <summary>A unit is a temporal slice: whole slices are hidden or visible.</summary>
public sealed class FrameMasking(TokenGrid grid, double ratio) : TokenMasking(grid, ratio)
{
    public override long Units => Grid.T;

    // [B, T] -> [B, T, HW] -> [B, L]: token (t, s) takes noise[t]
    protected override Tensor ToTokens(Tensor unitNoise) =>
        unitNoise.unsqueeze(2).expand(unitNoise.size(0), Grid.T, Grid.Spatial).reshape(unitNoise.size(0), Grid.Length);
}
