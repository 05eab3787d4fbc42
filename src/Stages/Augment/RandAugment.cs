using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>The 14 operations of torchvision's RandAugment, in its order.</summary>
public enum RandAugmentOp
{
    Identity, ShearX, ShearY, TranslateX, TranslateY, Rotate, Brightness, Color, Contrast, Sharpness,
    Posterize, Solarize, AutoContrast, Equalize,
}

/// <summary>One drawn operation with its signed magnitude (in the operation's own units).</summary>
public readonly record struct RandAugmentStep(RandAugmentOp Op, double Magnitude);

/// <summary>
/// RandAugment following torchvision.transforms.RandAugment (the reference for the magnitude
/// mapping): NumOps operations, each chosen uniformly among the 14 and always applied, magnitude
/// bin Magnitude of NumBins (default 9 of 31), a random sign for the signed ones. Bin m of 30 gives:
/// shear m·0.3/30 (0.09), translate int(m/30 · 150/331 · size) px (30 px at 224), rotate m° (9°),
/// brightness/color/contrast/sharpness factor 1 ± m·0.9/30 (1 ± 0.27), posterize 8 - round(m/7.5)
/// bits (7), solarize threshold 255·(1 - m/30) (178.5). Geometric ops sample nearest and fill with 0.
/// A clip gets one list of steps for all its frames; samples are independent.
/// </summary>
public sealed class RandAugment
{
    public static readonly RandAugmentOp[] Ops = Enum.GetValues<RandAugmentOp>();

    public RandAugment(int magnitude = 9, int numOps = 2, int numBins = 31)
    {
        if (numBins < 2) throw new ArgumentOutOfRangeException(nameof(numBins), numBins, "need at least 2 magnitude bins");
        if (magnitude < 0 || magnitude >= numBins)
            throw new ArgumentOutOfRangeException(nameof(magnitude), magnitude, $"magnitude must be a bin in [0, {numBins - 1}]");
        if (numOps < 0) throw new ArgumentOutOfRangeException(nameof(numOps), numOps, "number of operations must not be negative");
        Magnitude = magnitude;
        NumOps = numOps;
        NumBins = numBins;
    }

    public int Magnitude { get; }
    public int NumOps { get; }
    public int NumBins { get; }

    /// <summary>Whether the operation takes a random sign.</summary>
    public static bool IsSigned(RandAugmentOp op) => op is RandAugmentOp.ShearX or RandAugmentOp.ShearY
        or RandAugmentOp.TranslateX or RandAugmentOp.TranslateY or RandAugmentOp.Rotate or RandAugmentOp.Brightness
        or RandAugmentOp.Color or RandAugmentOp.Contrast or RandAugmentOp.Sharpness;

    /// <summary>The unsigned magnitude of an operation at this bin for an image of the given size.</summary>
    public double MagnitudeOf(RandAugmentOp op, int height, int width)
    {
        double f = (double)Magnitude / (NumBins - 1); // position along torch.linspace(lo, hi, NumBins)
        return op switch
        {
            RandAugmentOp.ShearX or RandAugmentOp.ShearY => 0.3 * f,
            RandAugmentOp.TranslateX => 150.0 / 331.0 * width * f,
            RandAugmentOp.TranslateY => 150.0 / 331.0 * height * f,
            RandAugmentOp.Rotate => 30.0 * f,
            RandAugmentOp.Brightness or RandAugmentOp.Color or RandAugmentOp.Contrast or RandAugmentOp.Sharpness => 0.9 * f,
            RandAugmentOp.Posterize => 8 - (int)Math.Round(Magnitude / ((NumBins - 1) / 4.0), MidpointRounding.ToEven),
            RandAugmentOp.Solarize => 255.0 * (1 - f),
            _ => 0.0,
        };
    }

    /// <summary>Draws the steps of one clip (operation, then sign for the signed ones).</summary>
    public RandAugmentStep[] SampleClip(AugmentRandom rng, int height, int width)
    {
        var steps = new RandAugmentStep[NumOps];
        for (int k = 0; k < NumOps; k++)
        {
            RandAugmentOp op = Ops[rng.Index(Ops.Length)];
            double m = MagnitudeOf(op, height, width);
            if (IsSigned(op) && rng.Bernoulli(0.5)) m = -m;
            if (op is RandAugmentOp.TranslateX or RandAugmentOp.TranslateY) m = Math.Truncate(m); // torchvision's int(magnitude)
            steps[k] = new RandAugmentStep(op, m);
        }
        return steps;
    }

    /// <summary>One list of steps per sample, drawn in sample order.</summary>
    public RandAugmentStep[][] Sample(AugmentRandom rng, int count, int height, int width)
    {
        var plan = new RandAugmentStep[count][];
        for (int i = 0; i < count; i++) plan[i] = SampleClip(rng, height, width);
        return plan;
    }

    /// <summary>
    /// Applies one step to <c>x [N, 3, T, H, W]</c> on the 0–255 scale and returns a new tensor:
    /// float on any device through libtorch ops (<see cref="ToneOps"/>, the GPU path), or uint8 on
    /// the CPU through the native byte kernels (<see cref="ByteToneOps"/>, the CPU feed's path: the
    /// same formulas, each result cast to uint8 toward zero as torchvision's uint8 ops do).
    /// </summary>
    public static Tensor ApplyStep(Tensor x, RandAugmentStep step)
    {
        bool bytes = x.dtype == ScalarType.Byte;
        if (bytes)
        {
            (long n, long t, long pixels) = ByteToneOps.Check(x);
            using var scope = torch.NewDisposeScope();
            if (LevelTable(step, () => ByteToneOps.Histogram(x), n, t, pixels) is Tensor table)
                return scope.MoveToOuter(ByteToneOps.Lut(x, table));
        }
        int h = (int)x.size(3), w = (int)x.size(4);
        double m = step.Magnitude;
        return step.Op switch
        {
            RandAugmentOp.Identity => x.clone(),
            RandAugmentOp.ShearX => AffineWarp.Apply(x, AffineWarp.ShearX(m, h, w)),
            RandAugmentOp.ShearY => AffineWarp.Apply(x, AffineWarp.ShearY(m, h, w)),
            RandAugmentOp.TranslateX => AffineWarp.Shift(x, (int)m, 0),
            RandAugmentOp.TranslateY => AffineWarp.Shift(x, 0, (int)m),
            RandAugmentOp.Rotate => AffineWarp.Apply(x, AffineWarp.Rotate(m)),
            RandAugmentOp.Color => bytes ? ByteToneOps.Color(x, 1 + m) : ToneOps.Color(x, 1 + m),
            RandAugmentOp.Sharpness => bytes ? ByteToneOps.Sharpness(x, 1 + m) : ToneOps.Sharpness(x, 1 + m),
            RandAugmentOp.Brightness => ToneOps.Brightness(x, 1 + m),
            RandAugmentOp.Contrast => ToneOps.Contrast(x, 1 + m),
            RandAugmentOp.Posterize => ToneOps.Posterize(x, (int)m),
            RandAugmentOp.Solarize => ToneOps.Solarize(x, m),
            RandAugmentOp.AutoContrast => ToneOps.AutoContrast(x),
            RandAugmentOp.Equalize => HistogramEqualize.Apply(x),
            _ => throw new ArgumentOutOfRangeException(nameof(step), step.Op, "unknown RandAugment operation"),
        };
    }

    /// <summary>
    /// The steps of one uint8 clip <c>x [N, 3, T, H, W]</c> on the CPU, with the pointwise steps
    /// (brightness, contrast, posterize, solarize, autocontrast, equalize) left pending: their
    /// tables compose into one table per row, and their statistics come from the histogram of the
    /// stored pixels pushed through it, so they make no pass over the clip. The others (geometric,
    /// color, sharpness) apply the pending table first. Returns the pixels and the table still to
    /// apply (<c>[N·3·T, 256]</c> or <c>[1, 256]</c> int64, null when none): the clip's values are
    /// <c>Levels[row, Pixels]</c>, the same bytes <see cref="ApplyStep"/> step by step gives.
    /// </summary>
    public static (Tensor Pixels, Tensor? Levels) ApplyStepsDeferred(Tensor x, IEnumerable<RandAugmentStep> steps)
    {
        (long n, long t, long pixels) = ByteToneOps.Check(x);
        long rows = n * 3 * t;
        Tensor? table = null, stored = null; // the pending table; the histogram of the stored pixels
        Tensor Histogram()
        {
            stored ??= ByteToneOps.Histogram(x); // [R, 256]
            return table is null ? stored : torch.zeros([rows, 256], ScalarType.Int64).scatter_add(1, Rows(table, rows), stored);
        }
        foreach (RandAugmentStep step in steps)
        {
            if (step.Op == RandAugmentOp.Identity) continue;
            if (LevelTable(step, Histogram, n, t, pixels) is Tensor next)
            {
                // next ∘ table: each row's pending level v becomes next[row, table[row, v]].
                table = table is null ? next
                    : next.size(0) == 1 && table.size(0) == 1 ? next.gather(1, table) : Rows(next, rows).gather(1, Rows(table, rows));
                continue;
            }
            if (table is not null) x = ByteToneOps.Lut(x, table);
            table = null;
            stored = null;
            x = ApplyStep(x, step);
        }
        return (x, table);
    }

    // A [1, 256] table expanded to every row (a view), or the [R, 256] table itself.
    private static Tensor Rows(Tensor table, long rows) => table.size(0) == rows ? table : table.expand(rows, 256);

    // The level table ([1, 256] or [R, 256] int64) of a pointwise step on uint8 clips [N, 3, T, ...]
    // of `pixels` values per row, given the clip's current histogram on demand; null for the other steps.
    private static Tensor? LevelTable(RandAugmentStep step, Func<Tensor> histogram, long n, long t, long pixels)
    {
        double m = step.Magnitude;
        return step.Op switch
        {
            RandAugmentOp.Brightness => ByteToneOps.BrightnessTable(1 + m),
            RandAugmentOp.Posterize => ByteToneOps.PosterizeTable((int)m),
            RandAugmentOp.Solarize => ByteToneOps.SolarizeTable(m),
            RandAugmentOp.Contrast => ByteToneOps.ContrastTable(histogram(), n, t, pixels, 1 + m),
            RandAugmentOp.AutoContrast => ByteToneOps.AutoContrastTable(histogram()),
            RandAugmentOp.Equalize => ByteToneOps.EqualizeTable(histogram(), pixels),
            _ => null,
        };
    }

    /// <summary>Returns a new tensor: <c>x [B, 3, T, H, W]</c> (float, or uint8 on the CPU) with each sample's steps applied.</summary>
    public static Tensor Apply(Tensor x, RandAugmentStep[][] plan)
    {
        Tensor result = x.clone();
        try
        {
            ApplyInPlace(result, plan);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Applies each sample's steps to <c>x [B, 3, T, H, W]</c> in place. Step k runs batched: the
    /// samples that drew the same (operation, magnitude) are processed together in one call.
    /// </summary>
    public static void ApplyInPlace(Tensor x, RandAugmentStep[][] plan)
    {
        if (x.dtype == ScalarType.Byte) ByteToneOps.Check(x);
        else ToneOps.CheckClip(x);
        int batch = (int)x.size(0);
        if (plan.Length != batch) throw new ArgumentException($"{plan.Length} RandAugment plans for a batch of {batch}", nameof(plan));
        int steps = plan.Length == 0 ? 0 : plan.Max(p => p.Length);
        for (int k = 0; k < steps; k++)
        {
            var groups = Enumerable.Range(0, batch)
                .Where(i => k < plan[i].Length && plan[i][k].Op != RandAugmentOp.Identity)
                .GroupBy(i => plan[i][k])
                .OrderBy(g => g.Key.Op).ThenBy(g => g.Key.Magnitude);
            foreach (var group in groups)
                ApplyToSamples(x, group.Key, group.ToArray());
        }
    }

    // Runs one step on the listed samples of x and writes the result back.
    private static void ApplyToSamples(Tensor x, RandAugmentStep step, int[] samples)
    {
        using var scope = torch.NewDisposeScope();
        int batch = (int)x.size(0);
        if (samples.Length == batch)
        {
            x.copy_(ApplyStep(x, step));
        }
        else if (samples.Length == 1)
        {
            Tensor one = x.narrow(0, samples[0], 1); // [1, 3, T, H, W] view
            one.copy_(ApplyStep(one, step));
        }
        else
        {
            Tensor index = torch.tensor(samples.Select(i => (long)i).ToArray(), samples.Length).to(x.device);
            Tensor picked = x.index_select(0, index); // [G, 3, T, H, W]
            x.index_put_(ApplyStep(picked, step), false, index);
        }
    }
}
