namespace CrossVideoMAE.Torch;

/// <summary>One entry of a tensor index: t[0], t[1..3], t[TensorIndex.Ellipsis, idx].</summary>
public sealed class TensorIndex
{
    public enum IndexKind { Single, Slice, None, Ellipsis, Tensor }

    public IndexKind Kind { get; }
    public long? Start { get; }
    public long? Stop { get; }
    public long Step { get; } = 1;
    public Tensor? Tensor { get; }

    private TensorIndex(IndexKind kind, long? start = null, long? stop = null, long step = 1, Tensor? tensor = null)
    {
        if (step <= 0) throw new ArgumentException("slice step must be positive");
        Kind = kind; Start = start; Stop = stop; Step = step; Tensor = tensor;
    }

    public bool IsFull => Kind == IndexKind.Slice && Start is null or 0 && Stop is null && Step == 1;

    public static TensorIndex Single(long i) => new(IndexKind.Single, i);
    public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1) => new(IndexKind.Slice, start, stop, step);
    public static readonly TensorIndex Colon = Slice();
    public static readonly TensorIndex None = new(IndexKind.None);
    public static readonly TensorIndex Ellipsis = new(IndexKind.Ellipsis);
    public static TensorIndex FromTensor(Tensor t) => new(IndexKind.Tensor, tensor: t);

    public static implicit operator TensorIndex(long i) => Single(i);
    public static implicit operator TensorIndex(int i) => Single(i);
    public static implicit operator TensorIndex(Tensor t) => FromTensor(t);
    public static implicit operator TensorIndex(Range r)
    {
        if (r.Start.IsFromEnd && r.Start.Value != 0 || r.End.IsFromEnd && r.End.Value != 0)
            throw new NotSupportedException("ranges counted from the end (^n) are not supported; use negative numbers with TensorIndex.Slice");
        long? start = r.Start.IsFromEnd ? null : r.Start.Value;
        long? stop = r.End.IsFromEnd ? null : r.End.Value;
        return Slice(start, stop);
    }
}
