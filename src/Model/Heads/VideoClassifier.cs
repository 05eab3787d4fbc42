using CrossVideoMAE.Model.Vit;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Heads;

/// <summary>
/// Fine-tuning and linear-probe model: the video encoder (<c>encoder.*</c>, without its final norm, as
/// MAE does with global pooling) on all tokens, the mean of all tokens, then <see cref="ClassificationHead"/>
/// (<c>head.norm.*</c>, <c>head.fc.*</c>).
/// </summary>
public sealed class VideoClassifier : Module
{
    public ModelConfig Config { get; }
    public VisionTransformer encoder { get; }
    public ClassificationHead head { get; }

    /// <param name="headInitStd">trunc-normal std of the head weights: 2e-5 for fine-tuning (MAE), 0.01 for a linear probe.</param>
    public VideoClassifier(ModelConfig config, int numClasses, double dropPath = 0.1, double headDropout = 0.1,
                           double headInitStd = 2e-5, ulong seed = 0)
    {
        Config = config.Validate();
        EncoderConfig enc = config.VideoEncoder with { FinalNorm = false, DropPathRate = dropPath };
        encoder = register_module("encoder", VisionTransformer.Video(enc, config.VideoGrid, config.InChannels, config.TubeletSize, config.PatchSize));
        head = register_module("head", new ClassificationHead(enc.EmbedDim, numClasses, headDropout));
        using var generator = new Generator(seed);
        WeightInit.Apply(this, generator);
        WeightInit.HeadInit(head.fc, headInitStd, generator);
    }

    /// <summary>Number of transformer blocks (for layer-wise lr decay).</summary>
    public int Depth => encoder.blocks.Count;

    // video: [B, C, T, H, W] -> logits [B, K]
    public Tensor forward(Tensor video)
    {
        using var scope = torch.NewDisposeScope();
        Tensor tokens = encoder.forward(video);       // [B, L, D]
        return scope.MoveToOuter(head.forward(tokens.mean(1)));
    }

    /// <summary>
    /// Copies the pre-trained video encoder from a CrossVideoMAE state dict (keys <c>video_encoder.*</c>);
    /// the encoder's final <c>norm.*</c> is not used here. Every other encoder weight must be present.
    /// </summary>
    public void LoadPretrainedEncoder(IReadOnlyDictionary<string, Tensor> crossVideoMaeState)
    {
        const string prefix = "video_encoder.";
        var source = crossVideoMaeState
            .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && !kv.Key.StartsWith(prefix + "norm.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        if (source.Count == 0) throw new InvalidDataException("the state dict holds no 'video_encoder.*' weights");
        encoder.load_state_dict(source, strict: true);
    }
}
