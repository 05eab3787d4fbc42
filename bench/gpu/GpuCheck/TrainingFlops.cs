using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Masking;

namespace CrossVideoMAE.GpuCheck;

/// <summary>
/// Matmul FLOPs of one clip in one CrossVideoMAE pre-training step, from the model config (the
/// convention of MFU figures: 2 FLOPs per multiply-add of the linear layers, convolutions and
/// attention products; norms, softmax, GELU, masking and the losses are left out).
/// <para>A transformer block over L tokens of width D with MLP hidden M costs, forward,
/// 2 L (4 D^2 + 2 D M) for the qkv, output and MLP projections plus 4 L^2 D for Q K^T and A V.
/// Per clip: each of the two views runs the patch embedding on all L video tokens, the video
/// encoder and g_u on the Lv = floor(L (1 - video mask ratio)) visible ones, decoder_embed on Lv,
/// the decoder blocks and e_u on all L; each of the n sampled frames runs the image patch embedding
/// on all its tokens and the image encoder and g_f on the visible ones. Training = 3 x forward
/// (the backward pass computes gradients of both inputs and weights: twice the forward); a frozen
/// image encoder counts once (it runs without gradients).</para>
/// </summary>
public static class TrainingFlops
{
    public sealed record Breakdown(double VideoViews, double ImageFrames, double Total);

    /// <summary>Forward + backward FLOPs of one clip with <paramref name="sampledFrames"/> sampled frames.</summary>
    public static Breakdown PerClip(ModelConfig c, int sampledFrames)
    {
        if (sampledFrames < 1) throw new ArgumentException($"sampled frames must be at least 1, got {sampledFrames}");
        c.Validate();
        long l = c.VideoGrid.Length;
        // Visible tokens as the model's maskings keep them (random: floor(L (1 - ratio)); tube, frame: whole units).
        long lv = TokenMasking.Create(c.VideoMasking, c.VideoGrid, c.VideoMaskRatio).KeptTokens;
        EncoderConfig ve = c.VideoEncoder, ie = c.ImageEncoder;
        DecoderConfig dec = c.Decoder;
        long e = c.EmbeddingDim, pixels = c.PixelsPerToken;

        double view = Linear(l, pixels, ve.EmbedDim)                                    // tubelet embedding (a conv = a matmul per token)
                      + Blocks(lv, ve.EmbedDim, ve.MlpHiddenDim, ve.Depth)              // f_u on the visible tokens
                      + Linear(lv, ve.EmbedDim, ve.EmbedDim) + Linear(lv, ve.EmbedDim, e) // g_u
                      + Linear(lv, e, dec.Width)                                        // decoder_embed
                      + Blocks(l, dec.Width, dec.MlpHiddenDim, dec.Depth)               // decoder on all tokens
                      + Linear(l, dec.Width, dec.Width) + Linear(l, dec.Width, pixels); // e_u
        long li = c.ImageGrid.Length;
        long liv = TokenMasking.Create(MaskingKind.Random, c.ImageGrid, c.ImageMaskRatio).KeptTokens;
        double frame = Linear(li, (long)c.InChannels * c.PatchSize * c.PatchSize, ie.EmbedDim)
                       + Blocks(liv, ie.EmbedDim, ie.MlpHiddenDim, ie.Depth);
        double gF = Linear(liv, ie.EmbedDim, ie.EmbedDim) + Linear(liv, ie.EmbedDim, e);

        double videoViews = 3 * 2 * view;
        double imageFrames = sampledFrames * ((c.FreezeImageEncoder ? 1 : 3) * frame + 3 * gF);
        return new Breakdown(videoViews, imageFrames, videoViews + imageFrames);
    }

    // Forward FLOPs of a linear map of `tokens` rows from `inDim` to `outDim`.
    private static double Linear(long tokens, long inDim, long outDim) => 2.0 * tokens * inDim * outDim;

    // Forward FLOPs of `depth` pre-norm transformer blocks over `tokens` tokens.
    private static double Blocks(long tokens, long width, long mlpHidden, int depth) =>
        depth * (2.0 * tokens * (4.0 * width * width + 2.0 * width * mlpHidden) + 4.0 * tokens * tokens * width);
}
