using CrossVideoMAE.Model.Vit;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Heads;

/// <summary>
/// Retrieval features: a (pre-trained) video encoder on all tokens, mean-pooled to one vector per
/// clip, without gradients. Uses the encoder it is given (e.g. <c>model.video_encoder</c>); it owns nothing.
/// </summary>
public sealed class FeatureExtractor(VisionTransformer encoder)
{
    public VisionTransformer Encoder { get; } = encoder;

    public long Dim => Encoder.Config.EmbedDim;

    // video: [B, C, T, H, W] -> [B, D]
    public Tensor Extract(Tensor video)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        Tensor tokens = Encoder.forward(video);      // [B, L, D]
        return scope.MoveToOuter(tokens.mean(1));
    }
}
