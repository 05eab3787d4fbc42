namespace CrossVideoMAE.Model;

/// <summary>
/// The registry of named configs (timm style). Each is for 16x224x224 clips and 224x224 frames;
/// use <see cref="ModelConfig.WithInput"/> for other sizes divisible by the patch.
/// </summary>
public static class ModelConfigs
{
    /// <summary>ViT-B/16 encoders (D=768, 12 blocks, 12 heads, MLP 3072), g_u/g_f to 384, decoder 4 x 384 (6 heads, MLP 1536).</summary>
    public static ModelConfig Base { get; } = new()
    {
        Name = "base",
        VideoEncoder = new EncoderConfig(EmbedDim: 768, Depth: 12, NumHeads: 12),
        ImageEncoder = new EncoderConfig(EmbedDim: 768, Depth: 12, NumHeads: 12),
        EmbeddingDim = 384,
        Decoder = new DecoderConfig(Width: 384, Depth: 4, NumHeads: 6),
    };

    /// <summary>ViT-S/16 encoders (D=384, 12 blocks, 6 heads), g_u/g_f to 384, decoder 4 x 384.</summary>
    public static ModelConfig Small { get; } = Base with
    {
        Name = "small",
        VideoEncoder = new EncoderConfig(EmbedDim: 384, Depth: 12, NumHeads: 6),
        ImageEncoder = new EncoderConfig(EmbedDim: 384, Depth: 12, NumHeads: 6),
    };

    /// <summary>For tests and CPU runs: D=192, 4 blocks, 3 heads; g_u/g_f to 128; decoder 2 blocks x 128 (4 heads).</summary>
    public static ModelConfig Tiny { get; } = Base with
    {
        Name = "tiny",
        VideoEncoder = new EncoderConfig(EmbedDim: 192, Depth: 4, NumHeads: 3),
        ImageEncoder = new EncoderConfig(EmbedDim: 192, Depth: 4, NumHeads: 3),
        EmbeddingDim = 128,
        Decoder = new DecoderConfig(Width: 128, Depth: 2, NumHeads: 4),
    };

    private static readonly Dictionary<string, ModelConfig> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tiny"] = Tiny,
        ["small"] = Small,
        ["base"] = Base,
        ["cvmae_vit_tiny_patch16"] = Tiny,
        ["cvmae_vit_small_patch16"] = Small,
        ["cvmae_vit_base_patch16"] = Base,
    };

    public static IReadOnlyCollection<string> Names => ["tiny", "small", "base"];

    public static ModelConfig Get(string name) =>
        ByName.TryGetValue(name, out ModelConfig? c)
            ? c
            : throw new ArgumentException($"unknown model config '{name}'; known: {string.Join(", ", Names)}");
}
