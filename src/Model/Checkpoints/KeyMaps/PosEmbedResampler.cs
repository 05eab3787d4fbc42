using CrossVideoMAE.Torch;
using static CrossVideoMAE.Torch.torch.nn.functional;

namespace CrossVideoMAE.Model.Checkpoints.KeyMaps;

/// <summary>
/// Resizes learned or fixed positional embeddings to another patch grid, as MAE's
/// interpolate_pos_embed and timm's resample_abs_pos_embed do: the spatial grid by bicubic
/// interpolation (align_corners=False), the temporal axis by linear interpolation
/// (align_corners=False). Computed in float32 and returned in the input's dtype; the result
/// is a new tensor owned by the caller.
/// </summary>
public static class PosEmbedResampler
{
    /// <summary>[1, H*W, D] on an H x W grid -> [1, H'*W', D].</summary>
    public static Tensor ResampleSpatial(Tensor pos, (int H, int W) from, (int H, int W) to)
    {
        long d = CheckTokens(pos, (long)from.H * from.W, "spatial");
        using var scope = torch.NewDisposeScope();
        Tensor grid = pos.to(ScalarType.Float32).reshape(1, from.H, from.W, d).permute(0, 3, 1, 2);       // [1, D, H, W]
        Tensor resized = interpolate(grid, [to.H, to.W], InterpolationMode.Bicubic, align_corners: false); // [1, D, H', W']
        Tensor tokens = resized.permute(0, 2, 3, 1).reshape(1, (long)to.H * to.W, d);                      // [1, H'*W', D]
        return scope.MoveToOuter(tokens.to(pos.dtype, copy: true)).DetachFromDisposeScope();
    }

    /// <summary>[1, T, D] -> [1, T', D].</summary>
    public static Tensor ResampleTemporal(Tensor pos, int from, int to)
    {
        long d = CheckTokens(pos, from, "temporal");
        using var scope = torch.NewDisposeScope();
        Tensor line = pos.to(ScalarType.Float32).permute(0, 2, 1).unsqueeze(-1);  // [1, D, T, 1]
        Tensor resized = Linear(line, to);                                         // [1, D, T', 1]
        Tensor tokens = resized.squeeze(-1).permute(0, 2, 1);                       // [1, T', D]
        return scope.MoveToOuter(tokens.to(pos.dtype, copy: true)).DetachFromDisposeScope();
    }

    /// <summary>A joint space-time table [1, T*H*W, D] (time slowest) -> [1, T'*H'*W', D]: bicubic over
    /// each frame's grid, then linear over time (the two are separable, so the order does not matter).</summary>
    public static Tensor ResampleJoint(Tensor pos, (int T, int H, int W) from, (int T, int H, int W) to)
    {
        long d = CheckTokens(pos, (long)from.T * from.H * from.W, "space-time");
        using var scope = torch.NewDisposeScope();
        Tensor frames = pos.to(ScalarType.Float32).reshape(from.T, from.H, from.W, d).permute(0, 3, 1, 2);   // [T, D, H, W]
        Tensor spatial = interpolate(frames, [to.H, to.W], InterpolationMode.Bicubic, align_corners: false); // [T, D, H', W']
        long s = (long)to.H * to.W;
        Tensor lines = spatial.reshape(from.T, d * s).t().reshape(1, d * s, from.T, 1);                      // [1, D*H'*W', T, 1]
        Tensor timed = Linear(lines, to.T);                                                                   // [1, D*H'*W', T', 1]
        Tensor tokens = timed.reshape(d, to.H, to.W, to.T).permute(3, 1, 2, 0).reshape(1, to.T * s, d);     // [1, T'*H'*W', D]
        return scope.MoveToOuter(tokens.to(pos.dtype, copy: true)).DetachFromDisposeScope();
    }

    // 1-D linear interpolation along dim 2 of [N, C, L, 1]: bilinear with an unchanged width of 1
    // samples that axis exactly at its one column, so only the length axis is interpolated.
    private static Tensor Linear(Tensor x, int length) =>
        interpolate(x, [length, 1], InterpolationMode.Bilinear, align_corners: false);

    private static long CheckTokens(Tensor pos, long tokens, string what)
    {
        long[] s = pos.shape;
        if (s.Length != 3 || s[0] != 1 || s[1] != tokens)
            throw new ArgumentException($"{what} positional embedding has shape [{string.Join(", ", s)}], expected [1, {tokens}, D]");
        return s[2];
    }
}
