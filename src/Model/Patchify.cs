using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model;

/// <summary>
/// Clip <-> per-token pixels in the MAE-ST layout: token (t, h, w) holds the tubelet's values in
/// (frame-in-tubelet u, row p, column q, channel c) order, u*p*q*C values per token.
/// </summary>
public static class Patchify
{
    // video: [B, C, T, H, W] -> [B, L, u*p*p*C]
    public static Tensor Video(Tensor video, int tubelet, int patch)
    {
        long[] s = video.shape;
        if (s.Length != 5 || s[2] % tubelet != 0 || s[3] % patch != 0 || s[4] % patch != 0)
            throw new ArgumentException($"cannot cut [{string.Join(", ", s)}] into {tubelet}x{patch}x{patch} tubelets");
        long b = s[0], c = s[1], t = s[2] / tubelet, h = s[3] / patch, w = s[4] / patch;
        using var scope = torch.NewDisposeScope();
        Tensor x = video.reshape(b, c, t, tubelet, h, patch, w, patch)  // [B, C, T', u, H', p, W', q]
            .permute(0, 2, 4, 6, 3, 5, 7, 1)                            // [B, T', H', W', u, p, q, C]
            .reshape(b, t * h * w, (long)tubelet * patch * patch * c);  // [B, L, u*p*q*C]
        return scope.MoveToOuter(x);
    }

    // tokens: [B, L, u*p*p*C] -> [B, C, T, H, W] for a grid of T' x H' x W' tokens
    public static Tensor Unvideo(Tensor tokens, TokenGrid grid, int tubelet, int patch, int channels)
    {
        long b = tokens.size(0);
        using var scope = torch.NewDisposeScope();
        Tensor x = tokens.reshape(b, grid.T, grid.H, grid.W, tubelet, patch, patch, channels) // [B, T', H', W', u, p, q, C]
            .permute(0, 7, 1, 4, 2, 5, 3, 6)                                                   // [B, C, T', u, H', p, W', q]
            .reshape(b, channels, grid.T * tubelet, grid.H * patch, grid.W * patch);
        return scope.MoveToOuter(x);
    }
}
