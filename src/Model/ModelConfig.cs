namespace CrossVideoMAE.Model;

/// <summary>How the positional embedding of a token grid is built.</summary>
public enum PositionalEmbeddingKind
{
    /// <summary>Fixed sin-cos, stored as the non-trainable buffer <c>pos_embed</c> [1, L, D]. For video it is
    /// separable: the 2-D spatial table plus the 1-D temporal table, added.</summary>
    SinCos,
    /// <summary>Learned separable (the MAE-ST layout): parameters <c>pos_embed_spatial</c> [1, H*W, D] and
    /// <c>pos_embed_temporal</c> [1, T, D], added per token.</summary>
    LearnedSeparable,
}

/// <summary>How the attention input projection stores its weights (all compute the same function).</summary>
public enum QkvLayout
{
    /// <summary><c>attn.qkv.weight</c> [3D, D] and <c>attn.qkv.bias</c> [3D] (MAE, timm).</summary>
    Fused,
    /// <summary><c>attn.q/k/v.weight</c> [D, D] and their biases (MAE-ST).</summary>
    Split,
    /// <summary><c>attn.qkv.weight</c> without bias plus <c>attn.q_bias</c> and <c>attn.v_bias</c>; k has no bias (VideoMAE).</summary>
    FusedWithQvBias,
}

/// <summary>Which video tokens are hidden (paper Table 10).</summary>
public enum MaskingKind
{
    /// <summary>Each token independently: keep floor(L*(1-rho)).</summary>
    Random,
    /// <summary>One spatial mask shared by every temporal slice: keep floor(H*W*(1-rho)) positions in each slice.</summary>
    Tube,
    /// <summary>Whole temporal slices: keep floor(T*(1-rho)) slices.</summary>
    Frame,
}

/// <summary>A transformer encoder (video f_u or image f_f). LayerNorm eps is 1e-6 everywhere, blocks are pre-norm.</summary>
public sealed record EncoderConfig(
    long EmbedDim,
    int Depth,
    int NumHeads,
    double MlpRatio = 4.0,
    bool QkvBias = true,
    QkvLayout Qkv = QkvLayout.Fused,
    PositionalEmbeddingKind PosEmbed = PositionalEmbeddingKind.SinCos,
    bool ClassToken = false,
    bool FinalNorm = true,
    double DropPathRate = 0.0)
{
    public long MlpHiddenDim => (long)Math.Round(EmbedDim * MlpRatio);

    public void Validate(string what)
    {
        if (EmbedDim <= 0 || Depth <= 0 || NumHeads <= 0)
            throw new ArgumentException($"{what}: embed dim, depth and heads must be positive (got {EmbedDim}, {Depth}, {NumHeads})");
        if (EmbedDim % NumHeads != 0)
            throw new ArgumentException($"{what}: embed dim {EmbedDim} is not divisible by {NumHeads} heads");
        if (PosEmbed == PositionalEmbeddingKind.SinCos && EmbedDim % 4 != 0)
            throw new ArgumentException($"{what}: sin-cos positional embeddings need an embed dim divisible by 4 (got {EmbedDim})");
        if (DropPathRate is < 0 or >= 1)
            throw new ArgumentException($"{what}: drop path rate must be in [0, 1) (got {DropPathRate})");
    }
}

/// <summary>The MAE decoder: width, blocks, heads; its positional embedding follows the video encoder's kind.</summary>
public sealed record DecoderConfig(long Width, int Depth, int NumHeads, double MlpRatio = 4.0)
{
    public long MlpHiddenDim => (long)Math.Round(Width * MlpRatio);
}

/// <summary>
/// Everything that fixes the CrossVideoMAE networks and their input geometry. Named configs live
/// in <see cref="ModelConfigs"/>; derive variants with <c>with { ... }</c> (e.g. another input size:
/// any size divisible by the patch works).
/// </summary>
public sealed record ModelConfig
{
    public required string Name { get; init; }
    public required EncoderConfig VideoEncoder { get; init; }
    public required EncoderConfig ImageEncoder { get; init; }
    /// <summary>Output width of g_u and g_f (the embeddings of the contrastive losses, 384 in the paper).</summary>
    public required long EmbeddingDim { get; init; }
    public required DecoderConfig Decoder { get; init; }

    public int InChannels { get; init; } = 3;
    /// <summary>Frames per clip (T).</summary>
    public int NumFrames { get; init; } = 16;
    /// <summary>Side of the square video frames.</summary>
    public int VideoSize { get; init; } = 224;
    /// <summary>Side of the square sampled frames f_i given to the image encoder.</summary>
    public int FrameSize { get; init; } = 224;
    public int PatchSize { get; init; } = 16;
    /// <summary>Frames per tubelet (temporal patch size).</summary>
    public int TubeletSize { get; init; } = 2;

    /// <summary>The paper's mask ratios (docs/method.md); the pretrain YAML's masking.video_ratio / image_ratio default to them.</summary>
    public const double DefaultVideoMaskRatio = 0.95, DefaultImageMaskRatio = 0.90;

    public double VideoMaskRatio { get; init; } = DefaultVideoMaskRatio;
    public double ImageMaskRatio { get; init; } = DefaultImageMaskRatio;
    public MaskingKind VideoMasking { get; init; } = MaskingKind.Random;

    /// <summary>Freeze the image encoder f_f (g_f stays trainable). Trained by default.</summary>
    public bool FreezeImageEncoder { get; init; }

    public const double LayerNormEps = 1e-6;

    /// <summary>Token grid of a clip: (T/tubelet, H/patch, W/patch).</summary>
    public TokenGrid VideoGrid => new(NumFrames / TubeletSize, VideoSize / PatchSize, VideoSize / PatchSize);

    /// <summary>Token grid of a sampled frame: (1, H/patch, W/patch), no temporal axis.</summary>
    public TokenGrid ImageGrid => TokenGrid.Image(FrameSize / PatchSize, FrameSize / PatchSize);

    /// <summary>Values per video token (tubelet x patch x patch x channels), the width of e_u's output.</summary>
    public long PixelsPerToken => (long)TubeletSize * PatchSize * PatchSize * InChannels;

    /// <summary>A copy for another input geometry.</summary>
    public ModelConfig WithInput(int numFrames, int videoSize, int? frameSize = null) =>
        this with { NumFrames = numFrames, VideoSize = videoSize, FrameSize = frameSize ?? videoSize };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistency.</summary>
    public ModelConfig Validate()
    {
        VideoEncoder.Validate($"config '{Name}' video encoder");
        ImageEncoder.Validate($"config '{Name}' image encoder");
        if (Decoder.Width <= 0 || Decoder.Depth <= 0 || Decoder.NumHeads <= 0 || Decoder.Width % Decoder.NumHeads != 0)
            throw new ArgumentException($"config '{Name}': decoder width {Decoder.Width} must be positive and divisible by its {Decoder.NumHeads} heads");
        if (VideoEncoder.PosEmbed == PositionalEmbeddingKind.SinCos && Decoder.Width % 4 != 0)
            throw new ArgumentException($"config '{Name}': sin-cos decoder positional embeddings need a width divisible by 4 (got {Decoder.Width})");
        if (EmbeddingDim <= 0) throw new ArgumentException($"config '{Name}': embedding dim must be positive");
        if (PatchSize <= 0 || TubeletSize <= 0 || InChannels <= 0)
            throw new ArgumentException($"config '{Name}': patch, tubelet and channel counts must be positive");
        if (NumFrames <= 0 || NumFrames % TubeletSize != 0)
            throw new ArgumentException($"config '{Name}': {NumFrames} frames are not divisible by the tubelet size {TubeletSize}");
        if (VideoSize <= 0 || VideoSize % PatchSize != 0)
            throw new ArgumentException($"config '{Name}': video size {VideoSize} is not divisible by the patch size {PatchSize}");
        if (FrameSize <= 0 || FrameSize % PatchSize != 0)
            throw new ArgumentException($"config '{Name}': frame size {FrameSize} is not divisible by the patch size {PatchSize}");
        // Building the maskings checks that each ratio leaves at least one visible token.
        Masking.TokenMasking.Create(VideoMasking, VideoGrid, VideoMaskRatio);
        Masking.TokenMasking.Create(MaskingKind.Random, ImageGrid, ImageMaskRatio);
        return this;
    }
}
