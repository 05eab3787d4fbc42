using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Vit;

/// <summary>
/// The positional embedding of a token grid, either a fixed table (a buffer named <c>{prefix}</c>,
/// [1, L, D]) or learned separable parameters (<c>{prefix}_spatial</c> [1, H*W, D] and
/// <c>{prefix}_temporal</c> [1, T, D], the MAE-ST layout). The owning module registers the tensors
/// under its own names, so this is a helper object, not a child module.
/// </summary>
public sealed class PositionalEmbedding
{
    private readonly Tensor? fixedTable;
    private readonly Parameter? spatial;
    private readonly Parameter? temporal;

    public TokenGrid Grid { get; }
    public PositionalEmbeddingKind Kind { get; }

    private PositionalEmbedding(TokenGrid grid, PositionalEmbeddingKind kind, Tensor? fixedTable, Parameter? spatial, Parameter? temporal)
    {
        Grid = grid;
        Kind = kind;
        this.fixedTable = fixedTable;
        this.spatial = spatial;
        this.temporal = temporal;
    }

    /// <summary>Creates the tensors and registers them through the owner's callbacks.</summary>
    public static PositionalEmbedding Create(
        PositionalEmbeddingKind kind, TokenGrid grid, long dim, string prefix,
        Func<string, Tensor, Tensor> registerBuffer, Func<string, Tensor, Parameter> registerParameter)
    {
        if (kind == PositionalEmbeddingKind.SinCos)
            return new(grid, kind, registerBuffer(prefix, SinCos.ForGrid(grid, dim)), null, null);
        // Learned: values are set by the model's initialisation (trunc-normal, std 0.02).
        Parameter s = registerParameter($"{prefix}_spatial", torch.zeros([1, grid.Spatial, dim]));
        Parameter? t = grid.HasTime ? registerParameter($"{prefix}_temporal", torch.zeros([1, grid.T, dim])) : null;
        return new(grid, kind, null, s, t);
    }

    /// <summary>The embedding of every token: [1, L, D].</summary>
    public Tensor Table()
    {
        if (fixedTable is not null) return fixedTable.alias();
        if (temporal is null) return spatial!.alias();
        using var scope = torch.NewDisposeScope();
        Tensor s = spatial!.repeat(1, Grid.T, 1);                           // [1, T*HW, D], s repeats per slice
        Tensor t = temporal.repeat_interleave(Grid.Spatial, 1);             // [1, T*HW, D], t constant per slice
        return scope.MoveToOuter(s + t);
    }
}
