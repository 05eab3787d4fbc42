namespace CrossVideoMAE.Model.Checkpoints.KeyMaps;

/// <summary>
/// Where the mapped weights must land. Grids are in patches (tokens), not pixels. When a target
/// grid is given and the checkpoint's differs, positional embeddings are resampled; when it is
/// null they are passed through at their own size.
/// </summary>
public sealed record KeyMapOptions
{
    /// <summary>The target spatial patch grid (e.g. 14 x 14 for 224-pixel frames and 16-pixel patches).</summary>
    public (int H, int W)? SpatialGrid { get; init; }

    /// <summary>The target number of temporal tokens (frames / tubelet size).</summary>
    public int? TemporalGrid { get; init; }

    /// <summary>The target encoder has one joint <c>pos_embed</c>: separable tables (mae_st) are joined into it
    /// (after any resampling) instead of being kept as <c>pos_embed_spatial</c> / <c>pos_embed_temporal</c>.</summary>
    public bool JointPositions { get; init; }

    /// <summary>The checkpoint's own grid, for a joint space-time pos_embed whose layout cannot be
    /// inferred from its token count; spatial grids are otherwise assumed square.</summary>
    public (int T, int H, int W)? SourceGrid { get; init; }
}
