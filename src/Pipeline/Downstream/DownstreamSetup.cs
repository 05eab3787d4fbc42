using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>The pieces every downstream command builds the same way: input geometry, transforms, the classifier.</summary>
public static class DownstreamSetup
{
    /// <summary>Single-view evaluation: short side S*256/224, one centre crop of S (the 256 -> 224 convention).</summary>
    public static EvalTransform CenterCrop(int size) =>
        new(new EvalConfig((int)Math.Round(size * 256.0 / 224.0, MidpointRounding.AwayFromZero), size, 1));

    /// <summary>Multi-view testing: short side S and three crops along the long side (or one centre crop).</summary>
    public static EvalTransform Views(int size, int spatialCrops) =>
        spatialCrops == 1 ? CenterCrop(size) : new EvalTransform(new EvalConfig(size, size, spatialCrops));

    /// <summary>
    /// The input side: <paramref name="requested"/> when given, else the side the weights' positional
    /// table was built for (pos_embed [1, T'*H'*W', D]), else 224.
    /// </summary>
    public static int InputSize(int? requested, ModelWeights? weights, ModelConfig config, int clipLength)
    {
        if (requested is int s) return s;
        if (weights is not null)
        {
            using KeyMapResult mapped = weights.VideoEncoder();
            Dictionary<string, Tensor> enc = mapped.Tensors;
            long tokensT = clipLength / config.TubeletSize;
            if (enc.TryGetValue("pos_embed", out Tensor? pos) && pos.dim() == 3 && tokensT > 0 && pos.size(1) % tokensT == 0)
            {
                int side = (int)Math.Round(Math.Sqrt(pos.size(1) / tokensT));
                if ((long)side * side * tokensT == pos.size(1)) return side * config.PatchSize;
            }
            if (enc.TryGetValue("pos_embed_spatial", out Tensor? sp) && sp.dim() == 3)
            {
                int side = (int)Math.Round(Math.Sqrt(sp.size(1)));
                if ((long)side * side == sp.size(1)) return side * config.PatchSize;
            }
        }
        return 224;
    }

    /// <summary>The model config: the named one when given, else the one the weights match.</summary>
    public static ModelConfig ResolveConfig(string? name, ModelWeights? weights)
    {
        if (name is not null) return ModelConfigs.Get(name);
        if (weights is null) throw new ArgumentException("--model is needed when no weights are given");
        return weights.InferConfig();
    }

    /// <summary>A classifier for clips of <paramref name="clipLength"/> frames of side <paramref name="size"/>.</summary>
    public static VideoClassifier Classifier(ModelConfig config, int clipLength, int size, int numClasses,
        double dropPath, double headDropout, double headInitStd, ulong seed)
    {
        // Classification sees every token: the pre-training mask ratios do not apply (and would refuse tiny grids).
        ModelConfig geometry = config.WithInput(clipLength, size) with { VideoMaskRatio = 0, ImageMaskRatio = 0 };
        return new VideoClassifier(geometry, numClasses, dropPath, headDropout, headInitStd, seed);
    }

    public static void SetThreads(int? threads)
    {
        int n = threads ?? Environment.ProcessorCount;
        if (n < 1) throw new ArgumentException($"--threads must be positive (got {n})");
        torch.set_num_threads(n);
    }
}
