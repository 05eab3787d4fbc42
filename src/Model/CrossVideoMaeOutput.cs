using CrossVideoMAE.Model.Masking;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model;

/// <summary>What to compute beyond the video embeddings z_u^t, z_f^t (which are always computed).</summary>
[Flags]
public enum ForwardParts
{
    None = 0,
    /// <summary>The image encoder and h_f, h_u (needed by L_cross).</summary>
    Image = 1,
    /// <summary>The decoder and e_u predictions (needed by L_rl and L_mse).</summary>
    Decoder = 2,
    All = Image | Decoder,
}

/// <summary>
/// One video view through f_u, g_u and (optionally) the decoder.
/// Embeddings [B, Lv, E] = g_u(f_u(u^t)) on the visible tokens; ZVideo [B, E] = z_u^t; ZFrame [B, E] = z_f^t;
/// Decoded [B, L, W] = f_d,t; Prediction [B, L, P] = e_u(f_d,t).
/// </summary>
public sealed record VideoViewOutput(MaskingResult Masking, Tensor Embeddings, Tensor ZVideo, Tensor ZFrame, Tensor? Decoded, Tensor? Prediction);

/// <summary>
/// The sampled frames through f_f and g_f. Masking covers the B*n frames (frame j of sample i is row i*n + j);
/// PerFrame [B, n, E] = mean over visible tokens of g_f(f_f(f)); HFrame, HVideo [B, E] = h_f, h_u.
/// </summary>
public sealed record ImageOutput(MaskingResult Masking, Tensor PerFrame, Tensor HFrame, Tensor HVideo);

/// <summary>Everything the objective needs; ZVideo, ZFrame [B, E] are the view averages of Eq. 4.</summary>
public sealed record CrossVideoMaeOutput(VideoViewOutput View1, VideoViewOutput View2, ImageOutput? Image, Tensor ZVideo, Tensor ZFrame);
