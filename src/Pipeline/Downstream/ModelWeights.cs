using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints.Training;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// Weights of a model as a flat state dict, read from any of the files the pipeline produces or
/// accepts: a training checkpoint (<c>ckpt-*.safetensors</c>, tensors under <c>model.</c>), a full
/// CrossVideoMAE state (<c>video_encoder.*</c>, ...), a classifier state (<c>encoder.*</c>, <c>head.*</c>)
/// or an MAE-style video encoder export (bare <c>patch_embed.*</c>, <c>blocks.*</c>). Owns the tensors.
/// </summary>
public sealed class ModelWeights : IDisposable
{
    private ModelWeights(string path, Dictionary<string, Tensor> state)
    {
        Path = path;
        State = state;
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, Tensor> State { get; }

    public static ModelWeights Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file '{path}' does not exist", path);
        var (tensors, metadata) = SafeTensors.Load(path);
        if (metadata.TryGetValue("format", out string? format) && format == TrainingCheckpoint.FormatName)
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
            TrainingCheckpointData data = TrainingCheckpoint.Load(path);
            var model = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (k, t) in data.Model) model[k] = t.clone().DetachFromDisposeScope();
            data.Dispose();
            return new ModelWeights(path, model);
        }
        return new ModelWeights(path, tensors);
    }

    /// <summary>
    /// The video encoder's tensors under their encoder names (no prefix), without the final
    /// <c>norm.*</c> (the classifier pools tokens before its own LayerNorm, as MAE does).
    /// </summary>
    public Dictionary<string, Tensor> VideoEncoder()
    {
        string? prefix = new[] { "video_encoder.", "encoder." }
            .FirstOrDefault(p => State.Keys.Any(k => k.StartsWith(p + "patch_embed.", StringComparison.Ordinal)));
        if (prefix is null && !State.ContainsKey("patch_embed.proj.weight"))
            throw new InvalidDataException($"{Path}: no video encoder weights found (expected keys 'video_encoder.patch_embed.*', 'encoder.patch_embed.*' or 'patch_embed.*'; first keys: {string.Join(", ", State.Keys.Take(5))})");
        prefix ??= "";
        return State.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(kv => (key: kv.Key[prefix.Length..], kv.Value))
            .Where(e => !e.key.StartsWith("norm.", StringComparison.Ordinal) && IsEncoderKey(e.key))
            .ToDictionary(e => e.key, e => e.Value, StringComparer.Ordinal);
    }

    private static bool IsEncoderKey(string key) =>
        key.StartsWith("patch_embed.", StringComparison.Ordinal) || key.StartsWith("blocks.", StringComparison.Ordinal)
        || key.StartsWith("pos_embed", StringComparison.Ordinal) || key == "cls_token";

    /// <summary>The named config whose video encoder has this width and depth (tiny, small, base).</summary>
    public ModelConfig InferConfig()
    {
        var encoder = VideoEncoder();
        Tensor patch = encoder.GetValueOrDefault("patch_embed.proj.weight")
            ?? throw new InvalidDataException($"{Path}: the video encoder has no 'patch_embed.proj.weight'");
        long dim = patch.size(0);
        int depth = encoder.Keys.Where(k => k.StartsWith("blocks.", StringComparison.Ordinal))
            .Select(k => int.Parse(k.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max() + 1;
        foreach (string name in ModelConfigs.Names)
        {
            ModelConfig c = ModelConfigs.Get(name);
            if (c.VideoEncoder.EmbedDim == dim && c.VideoEncoder.Depth == depth) return c;
        }
        throw new InvalidDataException($"{Path}: a video encoder of width {dim} and {depth} blocks matches none of the configs {string.Join(", ", ModelConfigs.Names)}");
    }

    public void Dispose()
    {
        foreach (Tensor t in State.Values) t.Dispose();
    }
}
