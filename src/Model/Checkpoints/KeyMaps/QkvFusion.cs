using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.KeyMaps;

/// <summary>Builds the fused attention projection our blocks use: qkv = cat([q, k, v]) along the output dimension.</summary>
internal static class QkvFusion
{
    /// <summary>q, k, v weights [D, D] each -> [3D, D].</summary>
    public static Tensor Weight(string block, Tensor q, Tensor k, Tensor v)
    {
        CheckSame(block, "weight", q, k, v);
        return torch.cat([q, k, v], 0).DetachFromDisposeScope(); // [3D, D]
    }

    /// <summary>q, k, v biases [D] each, a missing one taken as zeros (VideoMAE has no k bias) -> [3D].</summary>
    public static Tensor Bias(string block, Tensor? q, Tensor? k, Tensor? v)
    {
        Tensor like = q ?? k ?? v ?? throw new ArgumentException("at least one bias is needed");
        using var scope = torch.NewDisposeScope();
        Tensor Part(Tensor? t) => t ?? torch.zeros_like(like);
        Tensor qb = Part(q), kb = Part(k), vb = Part(v);
        CheckSame(block, "bias", qb, kb, vb);
        return scope.MoveToOuter(torch.cat([qb, kb, vb], 0)).DetachFromDisposeScope(); // [3D]
    }

    private static void CheckSame(string block, string what, Tensor q, Tensor k, Tensor v)
    {
        long[] s = q.shape;
        if (!k.shape.SequenceEqual(s) || !v.shape.SequenceEqual(s) || k.dtype != q.dtype || v.dtype != q.dtype)
            throw new InvalidDataException(
                $"{block}: q/k/v {what} shapes [{string.Join(", ", s)}], [{string.Join(", ", k.shape)}], [{string.Join(", ", v.shape)}] " +
                $"({q.dtype}, {k.dtype}, {v.dtype}) cannot be fused");
    }
}
