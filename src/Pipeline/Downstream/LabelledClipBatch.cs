using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>Which clip a batch entry is: its video, the clip's index within the video, and its class.</summary>
public readonly record struct ClipKey(string VideoId, int ClipIndex, int Label);

/// <summary>
/// A batch of labelled clips after the evaluation transform: <c>Views [B, V, 3, T, S, S]</c> float32,
/// normalised, V = spatial crops per clip (1 or 3). Owns the tensor.
/// </summary>
public sealed class LabelledClipBatch(IReadOnlyList<ClipKey> clips, Tensor views) : IDisposable
{
    public IReadOnlyList<ClipKey> Clips { get; } = clips;
    public Tensor Views { get; } = views;
    public int Count => Clips.Count;

    public void Dispose() => Views.Dispose();
}
