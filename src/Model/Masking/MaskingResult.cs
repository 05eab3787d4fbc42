using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Masking;

/// <summary>
/// One sampled mask for a batch (MAE's random_masking outputs).
/// IdsKeep [B, Lv] int64: the visible tokens, in shuffled order;
/// Mask [B, L] float32: 1 where the token is hidden, 0 where visible;
/// IdsRestore [B, L] int64: gathering cat(visible, hidden) with it restores token order.
/// </summary>
public sealed record MaskingResult(Tensor IdsKeep, Tensor Mask, Tensor IdsRestore) : IDisposable
{
    public long Visible => IdsKeep.size(1);

    public void Dispose()
    {
        IdsKeep.Dispose();
        Mask.Dispose();
        IdsRestore.Dispose();
    }
}
