using CrossVideoMAE.Torch;
using CrossVideoMAE.Stages.Augment.Native;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>
/// Per-channel pixel normalisation: <c>(x / InputScale - mean[c]) / std[c]</c>, by default ImageNet's
/// mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) on 0–255 input.
/// </summary>
public sealed class Normalize
{
    public static readonly double[] ImageNetMean = [0.485, 0.456, 0.406];
    public static readonly double[] ImageNetStd = [0.229, 0.224, 0.225];

    public static Normalize ImageNet { get; } = new(ImageNetMean, ImageNetStd);

    private readonly double[] scale; // 1 / (InputScale · std)
    private readonly double[] shift; // -mean / std

    public Normalize(IReadOnlyList<double> mean, IReadOnlyList<double> std, double inputScale = 255)
    {
        if (mean.Count != std.Count || mean.Count == 0)
            throw new ArgumentException($"mean ({mean.Count}) and std ({std.Count}) need the same, non-zero number of channels");
        if (std.Any(s => !(s > 0))) throw new ArgumentException("every std must be positive", nameof(std));
        if (!(inputScale > 0)) throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, "input scale must be positive");
        double[] m = mean.ToArray(), sd = std.ToArray();
        Mean = m;
        Std = sd;
        InputScale = inputScale;
        scale = sd.Select(v => 1.0 / (inputScale * v)).ToArray();
        shift = Enumerable.Range(0, m.Length).Select(c => -m[c] / sd[c]).ToArray();
    }

    public IReadOnlyList<double> Mean { get; }
    public IReadOnlyList<double> Std { get; }
    public double InputScale { get; }

    /// <summary>Channel c as an affine map of the raw value v: v · scale + shift.</summary>
    public (double Scale, double Shift) Affine(int channel) => (scale[channel], shift[channel]);

    /// <summary>Normalises a floating tensor in place; <paramref name="channelDim"/> holds the channels.</summary>
    public Tensor ApplyInPlace(Tensor x, int channelDim)
    {
        using var scope = torch.NewDisposeScope();
        (Tensor a, Tensor b) = Coefficients(x, channelDim);
        x.mul_(a).add_(b);
        return x;
    }

    /// <summary>Returns a new float32 tensor: the normalised <paramref name="x"/>.</summary>
    public Tensor Apply(Tensor x, int channelDim)
    {
        using var scope = torch.NewDisposeScope();
        Tensor result = x.to(ScalarType.Float32, copy: true);
        ApplyInPlace(result, channelDim);
        return scope.MoveToOuter(result);
    }

    /// <summary>
    /// Writes the normalised <paramref name="source"/> into <paramref name="destination"/> (same
    /// shape, float32, any strides; <paramref name="source"/> is left as it is): one pass per
    /// channel, <c>shift[c] + scale[c] · source[c]</c>, then one copy. A uint8 CPU source (levels
    /// 0–255, channels in dimension 0, contiguous) is written in one native pass through a table
    /// of the 256 normalised levels of each channel; the destination must then be a view whose
    /// last dimension is contiguous.
    /// </summary>
    public void WriteInto(Tensor source, Tensor destination, int channelDim) => WriteInto(source, destination, channelDim, levels: null);

    /// <summary>
    /// As <see cref="WriteInto(Tensor, Tensor, int)"/>; for a uint8 CPU source <c>[C, ..., P]</c>,
    /// <paramref name="levels"/> (int64 <c>[rows, 256]</c> or <c>[1, 256]</c>, rows = numel / P)
    /// first maps each stored level of a row to its value: the tables a deferred RandAugment left
    /// (<see cref="RandAugment.ApplyStepsDeferred"/>), folded into the normalising table.
    /// </summary>
    public void WriteInto(Tensor source, Tensor destination, int channelDim, Tensor? levels)
    {
        int nd = source.dim();
        int d = channelDim < 0 ? channelDim + nd : channelDim;
        if (d < 0 || d >= nd) throw new ArgumentOutOfRangeException(nameof(channelDim), channelDim, $"no such dimension in a {nd}-D tensor");
        if (!source.shape.SequenceEqual(destination.shape))
            throw new ArgumentException($"source [{string.Join(", ", source.shape)}] and destination [{string.Join(", ", destination.shape)}] differ in shape");
        if (source.size(d) != Mean.Count)
            throw new ArgumentException($"dimension {d} holds {source.size(d)} channels, the normalisation {Mean.Count}");
        if (source.dtype == ScalarType.Byte && source.device.Type == DeviceType.CPU)
        {
            WriteLevelsInto(source, destination, d, levels);
            return;
        }
        if (levels is not null) throw new ArgumentException("level tables apply to uint8 CPU sources only", nameof(levels));
        if (!source.dtype.IsFloatingPoint() || !destination.dtype.IsFloatingPoint())
            throw new ArgumentException($"normalising needs floating tensors, got {source.dtype} and {destination.dtype}");
        using var scope = torch.NewDisposeScope();
        for (int c = 0; c < Mean.Count; c++)
        {
            Tensor offset = torch.tensor([(float)shift[c]], 1).to(source.device, source.dtype); // [1], broadcasts
            destination.select(d, c).copy_(offset.add(source.select(d, c), scale[c]));
        }
    }

    /// <summary>The normalised value of each level 0..255 in each channel: <c>[C, 256]</c> float32.</summary>
    public Tensor LevelTable()
    {
        var table = new float[Mean.Count * 256];
        for (int c = 0; c < Mean.Count; c++)
            for (int v = 0; v < 256; v++) table[c * 256 + v] = (float)(shift[c] + scale[c] * v);
        return torch.tensor(table, Mean.Count, 256);
    }

    // uint8 source [C, ...] (CPU, contiguous) -> float32 destination of the same shape: the source
    // seen as rows (one per level table, else the innermost dimension), each through its channel's table.
    private void WriteLevelsInto(Tensor source, Tensor destination, int channelDim, Tensor? levels)
    {
        if (channelDim != 0 || !source.is_contiguous() || source.dim() < 2)
            throw new ArgumentException($"a uint8 source must be contiguous with its channels in dimension 0, got [{string.Join(", ", source.shape)}] " +
                $"with channels in dimension {channelDim}", nameof(source));
        if (destination.dtype != ScalarType.Float32 || destination.device.Type != DeviceType.CPU)
            throw new ArgumentException($"a uint8 source is normalised into a float32 CPU tensor, got {destination.dtype} on {destination.device}",
                nameof(destination));
        using var scope = torch.NewDisposeScope();
        // Rows of the lookup: one per level table when there are several, else the innermost dimension's.
        long rows = levels is not null && levels.dim() == 2 && levels.size(0) > 1 ? levels.size(0) : source.numel() / source.size(-1);
        if (rows % Mean.Count != 0 || source.numel() % rows != 0)
            throw new ArgumentException($"{rows} level tables do not split a [{string.Join(", ", source.shape)}] source by channel", nameof(levels));
        long inner = source.numel() / rows;
        Tensor target = destination.dim() == 2 ? destination : destination.view(rows, inner); // throws when no view exists
        Tensor table = LevelTable(); // [C, 256]: rows of channel c use table c
        if (levels is not null)
        {
            if (levels.dim() != 2 || levels.size(1) != 256 || (levels.size(0) != rows && levels.size(0) != 1))
                throw new ArgumentException($"level tables for {rows} rows must be [{rows}, 256] or [1, 256], got [{string.Join(", ", levels.shape)}]",
                    nameof(levels));
            // Row r of channel c = r / (rows / C): its values are table[c, levels[r, v]].
            table = levels.size(0) == 1
                ? table.gather(1, levels.expand(Mean.Count, 256))
                : table.repeat_interleave(rows / Mean.Count, 0).gather(1, levels); // [rows, 256]
        }
        AugmentKernels.lut_into(source.reshape(rows, inner), table, target);
    }

    // Per-channel scale and shift shaped to broadcast along channelDim: [1, .., C, .., 1].
    private (Tensor a, Tensor b) Coefficients(Tensor x, int channelDim)
    {
        int nd = x.dim();
        int d = channelDim < 0 ? channelDim + nd : channelDim;
        if (d < 0 || d >= nd) throw new ArgumentOutOfRangeException(nameof(channelDim), channelDim, $"no such dimension in a {nd}-D tensor");
        if (x.size(d) != Mean.Count)
            throw new ArgumentException($"dimension {d} holds {x.size(d)} channels, the normalisation {Mean.Count}");
        if (!x.dtype.IsFloatingPoint()) throw new ArgumentException($"normalising in place needs a floating tensor, got {x.dtype}");
        long[] shape = Enumerable.Repeat(1L, nd).ToArray();
        shape[d] = Mean.Count;
        Tensor a = torch.tensor(scale.Select(v => (float)v).ToArray(), shape).to(x.device, x.dtype);
        Tensor b = torch.tensor(shift.Select(v => (float)v).ToArray(), shape).to(x.device, x.dtype);
        return (a, b);
    }
}
