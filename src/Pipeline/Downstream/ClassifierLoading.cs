using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Model.Heads;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>Builds a <see cref="VideoClassifier"/> from saved classifier weights (<c>encoder.*</c>, <c>head.*</c>).</summary>
public static class ClassifierLoading
{
    public static VideoClassifier Load(ModelWeights weights, string? configName, int? size, int clipLength)
    {
        if (!weights.State.TryGetValue("head.fc.weight", out Tensor? fc))
            throw new InvalidDataException($"{weights.Path}: not a classifier (no 'head.fc.weight'; a pre-trained encoder needs 'cvmae finetune' or 'cvmae linprobe' first)");
        ModelConfig config = DownstreamSetup.ResolveConfig(configName, weights);
        int side = DownstreamSetup.InputSize(size, weights, config, clipLength);
        var model = DownstreamSetup.Classifier(config, clipLength, side, (int)fc.size(0), 0, 0, 0.01, 0);
        try
        {
            var own = model.state_dict();
            var source = weights.State.Where(kv => own.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{weights.Path}: classifier weights lack [{string.Join(", ", missing.Take(8))}] for config '{config.Name}'");
            model.load_state_dict(source, strict: true);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(weights.Path, StringComparison.Ordinal))
        {
            model.Dispose();
            throw new InvalidDataException($"{weights.Path}: {e.Message}", e);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }
}
