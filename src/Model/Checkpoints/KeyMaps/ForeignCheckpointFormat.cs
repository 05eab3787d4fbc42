namespace CrossVideoMAE.Model.Checkpoints.KeyMaps;

/// <summary>The PyTorch ViT checkpoint layouts the key maps understand.</summary>
public enum ForeignCheckpointFormat
{
    /// <summary>facebookresearch/mae image ViT: Conv2d patch embedding, fused qkv, sin-cos pos_embed with a cls slot.</summary>
    MaeImage,

    /// <summary>facebookresearch/mae_st video ViT: Conv3d patch embedding, separate q/k/v, pos_embed_spatial/temporal.</summary>
    MaeStVideo,

    /// <summary>MCG-NJU/VideoMAE: Conv3d patch embedding, qkv without bias plus q_bias/v_bias, weights under model/module.</summary>
    VideoMae,
}
