// CrossVideoMAE (arXiv 2502.07811) as docs/method.md describes it.
//
// State-dict names (MAE layout, so foreign checkpoints map by prefix; the checkpoint helper relies on them):
//   video_encoder.patch_embed.proj.weight [D, C, 2, 16, 16], video_encoder.patch_embed.proj.bias [D]
//   video_encoder.pos_embed [1, L, D]                 fixed sin-cos buffer (spatial 2-D + temporal 1-D, added)
//     or video_encoder.pos_embed_spatial [1, H*W, D] and video_encoder.pos_embed_temporal [1, T, D] (learned, MAE-ST)
//   video_encoder.cls_token [1, 1, D]                 only with EncoderConfig.ClassToken (off by default)
//   video_encoder.blocks.{i}.norm1.weight/bias
//   video_encoder.blocks.{i}.attn.qkv.weight [3D, D] / .bias [3D]     (QkvLayout.Fused, default)
//     or blocks.{i}.attn.q/k/v.weight/bias (Split) or attn.qkv.weight + attn.q_bias/v_bias (FusedWithQvBias)
//   video_encoder.blocks.{i}.attn.proj.weight/bias
//   video_encoder.blocks.{i}.norm2.weight/bias
//   video_encoder.blocks.{i}.mlp.fc1.weight/bias, video_encoder.blocks.{i}.mlp.fc2.weight/bias
//   video_encoder.norm.weight/bias
//   image_encoder.*                                   same layout; patch_embed.proj.weight [D, C, 16, 16]; pos_embed [1, H*W, D]
//                                                     (no cls row: MAE's [1, 1+L, D] loses its first row when mapped)
//   g_u.fc1.weight/bias, g_u.fc2.weight/bias          encoder embedding D -> D -> E (E = 384)
//   g_f.fc1.weight/bias, g_f.fc2.weight/bias
//   decoder.decoder_embed.weight/bias                 E -> W
//   decoder.mask_token [1, 1, W]
//   decoder.decoder_pos_embed [1, L, W]               (or decoder.decoder_pos_embed_spatial/_temporal)
//   decoder.decoder_blocks.{i}.*                      block layout as above, fused qkv
//   decoder.decoder_norm.weight/bias
//   e_u.fc1.weight/bias, e_u.fc2.weight/bias          decoder embedding W -> W -> 2*16*16*3
using CrossVideoMAE.Model.Masking;
using CrossVideoMAE.Model.Vit;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model;

/// <summary>
/// The CrossVideoMAE networks: a video encoder f_u shared by both views, an image encoder f_f for
/// the sampled frames, the encoder embeddings g_u and g_f (an MLP on every visible token), the MAE
/// decoder fed with g_u's output, and the decoder embedding e_u (per-token pixels). The objective
/// lives in <see cref="Objective.CrossVideoMaeLoss"/>.
/// </summary>
public sealed class CrossVideoMAE : Module
{
    public ModelConfig Config { get; }
    public VisionTransformer video_encoder { get; }
    public VisionTransformer image_encoder { get; }
    public Mlp g_u { get; }
    public Mlp g_f { get; }
    public MaeDecoder decoder { get; }
    public Mlp e_u { get; }

    public TokenMasking VideoMasking { get; }
    public TokenMasking ImageMasking { get; }

    /// <summary>Builds the networks and initialises them from <paramref name="seed"/> (same seed, same weights).</summary>
    public CrossVideoMAE(ModelConfig config, ulong seed = 0)
    {
        Config = config.Validate();
        TokenGrid videoGrid = config.VideoGrid, imageGrid = config.ImageGrid;
        EncoderConfig ve = config.VideoEncoder, ie = config.ImageEncoder;

        video_encoder = register_module("video_encoder", VisionTransformer.Video(ve, videoGrid, config.InChannels, config.TubeletSize, config.PatchSize));
        image_encoder = register_module("image_encoder", VisionTransformer.Image(ie, imageGrid, config.InChannels, config.PatchSize));
        g_u = register_module("g_u", new Mlp(ve.EmbedDim, ve.EmbedDim, config.EmbeddingDim));
        g_f = register_module("g_f", new Mlp(ie.EmbedDim, ie.EmbedDim, config.EmbeddingDim));
        decoder = register_module("decoder", new MaeDecoder(config.Decoder, videoGrid, config.EmbeddingDim, ve.PosEmbed));
        e_u = register_module("e_u", new Mlp(config.Decoder.Width, config.Decoder.Width, config.PixelsPerToken));

        VideoMasking = TokenMasking.Create(config.VideoMasking, videoGrid, config.VideoMaskRatio);
        ImageMasking = TokenMasking.Create(MaskingKind.Random, imageGrid, config.ImageMaskRatio);

        using (var generator = new Generator(seed)) WeightInit.Apply(this, generator);
        if (config.FreezeImageEncoder)
            foreach (Parameter p in image_encoder.parameters()) p.requires_grad = false;
    }

    // ---- factories named after the architecture (encoder, patch, decoder width/depth) ----
    public static CrossVideoMAE cvmae_vit_base_patch16_dec384d4b(ulong seed = 0) => new(ModelConfigs.Base, seed);
    public static CrossVideoMAE cvmae_vit_small_patch16_dec384d4b(ulong seed = 0) => new(ModelConfigs.Small, seed);
    public static CrossVideoMAE cvmae_vit_tiny_patch16_dec128d2b(ulong seed = 0) => new(ModelConfigs.Tiny, seed);

    /// <summary>
    /// Both views through f_u, g_u (and the decoder, e_u), the sampled frames through f_f, g_f.
    /// Masks for each view and for the frames are drawn independently, per sample, from
    /// <paramref name="maskGenerator"/> (one generator converts implicitly; libtorch's default generator when null;
    /// <see cref="MaskNoise.PerSample"/> keys each sample's masks by the sample).
    /// </summary>
    public CrossVideoMaeOutput forward(CrossVideoMaeBatch batch, MaskNoise? maskGenerator = null, ForwardParts parts = ForwardParts.All)
    {
        batch.Validate(Config);
        bool withDecoder = parts.HasFlag(ForwardParts.Decoder);
        VideoViewOutput v1 = forward_video_view(batch.View1, batch.FrameIndices, maskGenerator, withDecoder);
        VideoViewOutput v2 = forward_video_view(batch.View2, batch.FrameIndices, maskGenerator, withDecoder);
        ImageOutput? image = parts.HasFlag(ForwardParts.Image) ? forward_image(batch.Frames, maskGenerator) : null;
        Tensor zVideo = (v1.ZVideo + v2.ZVideo) / 2;   // [B, E], Eq. 4
        Tensor zFrame = (v1.ZFrame + v2.ZFrame) / 2;   // [B, E]
        return new CrossVideoMaeOutput(v1, v2, image, zVideo, zFrame);
    }

    /// <summary>
    /// One view u^t: [B, C, T, H, W] and frameIndices [B, n] -> mask, g_u(f_u(u^t)) on the visible tokens
    /// [B, Lv, E], z_u^t and z_f^t [B, E], and with the decoder f_d,t [B, L, W] and e_u(f_d,t) [B, L, P].
    /// </summary>
    public VideoViewOutput forward_video_view(Tensor view, Tensor frameIndices, MaskNoise? maskGenerator, bool withDecoder)
    {
        MaskingResult masking = VideoMasking.Sample(view.size(0), 1, maskGenerator ?? MaskNoise.FromGenerator(null), view.device);
        Tensor embeddings = forward_video_embeddings(view, masking.IdsKeep);                // [B, Lv, E]
        Tensor zVideo = embeddings.mean(1);                                                 // [B, E]
        Tensor zFrame = FrameTokenPooling.Pool(embeddings, masking.IdsKeep, frameIndices, video_encoder.Grid, Config.TubeletSize); // [B, E]
        Tensor? decoded = null, prediction = null;
        if (withDecoder)
        {
            decoded = decoder.forward(embeddings, masking.IdsRestore);                      // [B, L, W]
            prediction = e_u.forward(decoded);                                              // [B, L, P]
        }
        return new VideoViewOutput(masking, embeddings, zVideo, zFrame, decoded, prediction);
    }

    /// <summary>g_u(f_u(x)) on the visible tokens: [B, C, T, H, W], idsKeep [B, Lv] -> [B, Lv, E].</summary>
    public Tensor forward_video_embeddings(Tensor view, Tensor idsKeep)
    {
        using var scope = torch.NewDisposeScope();
        Tensor tokens = video_encoder.forward(view, idsKeep);                               // [B, Lv, D]
        return scope.MoveToOuter(g_u.forward(tokens));                                      // [B, Lv, E]
    }

    /// <summary>
    /// Sampled frames [B, n, C, Hf, Wf] -> per-frame mean over the visible tokens of g_f(f_f(f)) [B, n, E],
    /// h_f [B, E] (mean over the n frames) and h_u [B, E] (docs/method.md: the mean over all n frames, the same
    /// vector as h_f since every frame keeps the same number of tokens).
    /// </summary>
    public ImageOutput forward_image(Tensor frames, MaskNoise? maskGenerator)
    {
        long b = frames.size(0), n = frames.size(1);
        using var scope = torch.NewDisposeScope();
        Tensor flat = frames.reshape(b * n, frames.size(2), frames.size(3), frames.size(4)); // [B*n, C, Hf, Wf]
        MaskingResult masking = ImageMasking.Sample(b, n, maskGenerator ?? MaskNoise.FromGenerator(null), frames.device);
        scope.MoveToOuter(masking.IdsKeep); scope.MoveToOuter(masking.Mask); scope.MoveToOuter(masking.IdsRestore);
        Tensor tokens;
        if (Config.FreezeImageEncoder)
            using (torch.no_grad()) tokens = image_encoder.forward(flat, masking.IdsKeep);  // [B*n, Lv, D]
        else
            tokens = image_encoder.forward(flat, masking.IdsKeep);
        Tensor perFrame = g_f.forward(tokens).mean(1).reshape(b, n, Config.EmbeddingDim);  // [B, n, E]
        Tensor hFrame = perFrame.mean(1);                                                   // [B, E]
        Tensor hVideo = hFrame.alias();                                                     // [B, E]
        return new ImageOutput(masking, scope.MoveToOuter(perFrame), scope.MoveToOuter(hFrame), scope.MoveToOuter(hVideo));
    }
}
