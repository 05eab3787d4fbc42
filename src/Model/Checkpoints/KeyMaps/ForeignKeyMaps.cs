using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.KeyMaps;

/// <summary>
/// Maps PyTorch ViT encoder state dicts to our encoder names (see Checkpoints/README.md):
/// <c>patch_embed.proj.*</c>, <c>pos_embed</c> (no class slot) or <c>pos_embed_spatial</c> /
/// <c>pos_embed_temporal</c>, <c>blocks.{i}.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}.*</c>,
/// <c>norm.*</c>. A pure dictionary transform: the source is not modified and the result owns new handles.
/// </summary>
public static class ForeignKeyMaps
{
    /// <summary>facebookresearch/mae image ViT (models_mae / models_vit).</summary>
    public static KeyMapResult MapMaeImage(IReadOnlyDictionary<string, Tensor> source, KeyMapOptions? options = null) =>
        new EncoderKeyMapper(ForeignCheckpointFormat.MaeImage, options ?? new()).Map(source);

    /// <summary>facebookresearch/mae_st video ViT: separate q/k/v are fused, separable positional embeddings kept.</summary>
    public static KeyMapResult MapMaeStVideo(IReadOnlyDictionary<string, Tensor> source, KeyMapOptions? options = null) =>
        new EncoderKeyMapper(ForeignCheckpointFormat.MaeStVideo, options ?? new()).Map(source);

    /// <summary>MCG-NJU/VideoMAE (pretraining or fine-tuning): q_bias/v_bias become a qkv bias [q_bias, 0, v_bias].</summary>
    public static KeyMapResult MapVideoMae(IReadOnlyDictionary<string, Tensor> source, KeyMapOptions? options = null) =>
        new EncoderKeyMapper(ForeignCheckpointFormat.VideoMae, options ?? new()).Map(source);

    /// <summary>Detects the layout and maps with the matching key map.</summary>
    public static KeyMapResult MapAuto(IReadOnlyDictionary<string, Tensor> source, KeyMapOptions? options = null) =>
        new EncoderKeyMapper(Detect(source), options ?? new()).Map(source);

    /// <summary>Which layout the keys follow: q_bias/v_bias -> VideoMAE; separate attn.q/k/v or
    /// pos_embed_spatial -> mae_st; otherwise the patch embedding's rank (4: MAE image, 5: VideoMAE-style video).</summary>
    public static ForeignCheckpointFormat Detect(IReadOnlyDictionary<string, Tensor> source)
    {
        Dictionary<string, Tensor> keys = SourcePrefixes.Strip(source, []);
        if (keys.Keys.Any(k => k.EndsWith(".attn.q_bias", StringComparison.Ordinal) || k.EndsWith(".attn.v_bias", StringComparison.Ordinal)))
            return ForeignCheckpointFormat.VideoMae;
        if (keys.ContainsKey("pos_embed_spatial") || keys.Keys.Any(k => k.EndsWith(".attn.q.weight", StringComparison.Ordinal)))
            return ForeignCheckpointFormat.MaeStVideo;
        if (keys.TryGetValue("patch_embed.proj.weight", out Tensor? w))
        {
            if (w.dim() == 4) return ForeignCheckpointFormat.MaeImage;
            if (w.dim() == 5) return ForeignCheckpointFormat.VideoMae;
        }
        throw new InvalidDataException("cannot tell the checkpoint's layout (MAE image, mae_st, VideoMAE) from its keys: " +
            string.Join(", ", keys.Keys.Take(8)) + (keys.Count > 8 ? ", …" : ""));
    }
}
