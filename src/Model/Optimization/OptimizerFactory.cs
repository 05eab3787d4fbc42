using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;

namespace CrossVideoMAE.Model.Optimization;

/// <summary>The optimisers of docs/method.md (supplement Tables 2-4).</summary>
public static class OptimizerFactory
{
    /// <summary>Pre-training: AdamW betas (0.9, 0.95), weight decay (default 0.05) except on biases, norms, positional embeddings, tokens.</summary>
    public static AdamW Pretraining(Module model, double lr, double weightDecay = 0.05, double beta1 = 0.9, double beta2 = 0.95) =>
        new(ParameterGroups.WeightDecaySplit(model, lr, weightDecay), beta1, beta2);

    /// <summary>Fine-tuning: AdamW (0.9, 0.999), weight decay 0.05, layer-wise lr decay (default 0.75).</summary>
    public static AdamW FineTuning(VideoClassifier model, double lr, double weightDecay = 0.05, double layerDecay = 0.75) =>
        new(LayerDecay.Groups(model, model.Depth, lr, weightDecay, layerDecay), beta1: 0.9, beta2: 0.999);

    /// <summary>Linear probe: SGD with momentum 0.9 and no weight decay on the head only (the encoder frozen).</summary>
    public static SGD LinearProbe(VideoClassifier model, double lr = 0.1)
    {
        foreach (Parameter p in model.encoder.parameters()) p.requires_grad = false;
        return new SGD([new ParamGroup(model.head.parameters().ToList(), lr, 0.0, "head")], momentum: 0.9);
    }
}
