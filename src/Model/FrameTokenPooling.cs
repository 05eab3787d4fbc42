using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model;

/// <summary>
/// The frame-level video embedding z_f (docs/method.md): for a sampled frame k, the mean of the visible
/// token embeddings whose temporal index is the tubelet holding frame k (k / tubelet size). If
/// that tubelet has no visible token, the nearest tubelet with one is used; at equal distance the
/// earlier tubelet wins. With n frames, the n vectors are averaged.
/// </summary>
public static class FrameTokenPooling
{
    /// <summary>
    /// embeddings: [B, Lv, E] visible token embeddings; idsKeep: [B, Lv] their token indices;
    /// frameIndices: [B, n] sampled frame positions in the clip. Returns [B, E].
    /// </summary>
    public static Tensor Pool(Tensor embeddings, Tensor idsKeep, Tensor frameIndices, TokenGrid grid, int tubeletSize)
    {
        using var scope = torch.NewDisposeScope();
        Tensor weights = SelectionWeights(idsKeep, frameIndices.to(idsKeep.device), grid, tubeletSize); // [B, n, Lv]
        Tensor perFrame = weights.to(embeddings.dtype).matmul(embeddings);                            // [B, n, E]
        return scope.MoveToOuter(perFrame.mean(1));
    }

    /// <summary>[B, n, Lv]: for each sampled frame, equal weights summing to 1 over the selected tokens.</summary>
    public static Tensor SelectionWeights(Tensor idsKeep, Tensor frameIndices, TokenGrid grid, int tubeletSize)
    {
        using var scope = torch.NewDisposeScope();
        Tensor tokenSlice = idsKeep.floor_divide(grid.Spatial);                           // [B, Lv] temporal index
        Tensor target = frameIndices.@long().floor_divide(tubeletSize);                   // [B, n] tubelet of each frame
        if ((target.lt(0) | target.ge(grid.T)).any().item() != 0)
            throw new ArgumentException($"a sampled frame index lies outside the clip's {grid.T * tubeletSize} frames");
        Tensor diff = tokenSlice.unsqueeze(1) - target.unsqueeze(2);                      // [B, n, Lv]
        // Rank by distance, earlier tubelet first on ties: key = 2|d| + (d > 0).
        Tensor key = diff.abs() * 2 + diff.gt(0).@long();                                 // [B, n, Lv]
        Tensor best = key.amin(-1, keepdim: true);                                        // [B, n, 1]
        Tensor chosen = key.eq(best).@float();                                            // [B, n, Lv]
        return scope.MoveToOuter(chosen / chosen.sum(-1, keepdim: true));
    }
}
