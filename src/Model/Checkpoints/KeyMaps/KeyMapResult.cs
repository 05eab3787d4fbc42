using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.KeyMaps;

/// <summary>
/// A foreign state dict renamed to our encoder's names (without the <c>video_encoder.</c> /
/// <c>image_encoder.</c> prefix, which the caller adds), plus an account of every source key
/// that was not carried over. The tensors are new handles owned by this object; the source
/// dictionary is left untouched.
/// </summary>
public sealed class KeyMapResult : IDisposable
{
    public ForeignCheckpointFormat Format { get; }

    /// <summary>Our names -> tensors.</summary>
    public Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Source keys dropped on purpose, each with the reason (decoder, class token, head, ...).</summary>
    public List<string> Ignored { get; } = new();

    /// <summary>Source keys this map does not know; the caller decides whether they matter.</summary>
    public List<string> Unmapped { get; } = new();

    /// <summary>What was transformed on the way (qkv fused, cls slot dropped, grids resampled, fc_norm used as norm).</summary>
    public List<string> Notes { get; } = new();

    internal KeyMapResult(ForeignCheckpointFormat format) => Format = format;

    /// <summary>Hands the tensors over with a prefix (e.g. "video_encoder."); the caller then owns them.</summary>
    public Dictionary<string, Tensor> TakeWithPrefix(string prefix)
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in Tensors) d[prefix + k] = v;
        Tensors.Clear();
        return d;
    }

    public void Dispose()
    {
        foreach (Tensor t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }
}
