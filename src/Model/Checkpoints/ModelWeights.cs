using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model.Checkpoints.Pth;
using CrossVideoMAE.Model.Checkpoints.Training;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;

namespace CrossVideoMAE.Model.Checkpoints;

/// <summary>
/// The tensors of one weights file as a flat state dict, read from any file the pipeline produces
/// or accepts: a training checkpoint (<c>ckpt-*.safetensors</c>, tensors under <c>model.</c>), a full
/// CrossVideoMAE state (<c>video_encoder.*</c>, ...), a classifier state (<c>encoder.*</c>, <c>head.*</c>),
/// an encoder export (bare <c>patch_embed.*</c>, <c>blocks.*</c>), or a foreign MAE / mae_st / VideoMAE
/// checkpoint as <c>.pth</c> (read by the weights-only unpickler, no code runs) or <c>.safetensors</c>.
/// Owns the tensors. <see cref="WeightsLoader"/> puts them into a model.
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

    /// <summary>Reads <paramref name="path"/>; a missing file is a <see cref="FileNotFoundException"/>,
    /// an unreadable one an <see cref="InvalidDataException"/> naming the file and the reason.</summary>
    public static ModelWeights Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file '{path}' does not exist", path);
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            return new ModelWeights(path, PthReader.LoadTensors(path));
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
    /// The video encoder in our encoder names at the file's own grid (no resampling), mapped by
    /// <see cref="WeightsLoader.MapEncoder"/>; the caller disposes the result.
    /// </summary>
    public KeyMapResult VideoEncoder() => WeightsLoader.MapEncoder(this, WeightsLoader.VideoPrefixes, new KeyMapOptions());

    /// <summary>The named config whose video encoder has this width and depth (tiny, small, base).</summary>
    public ModelConfig InferConfig()
    {
        using KeyMapResult encoder = VideoEncoder();
        Tensor patch = encoder.Tensors.GetValueOrDefault("patch_embed.proj.weight")
            ?? throw new InvalidDataException($"{Path}: the video encoder has no 'patch_embed.proj.weight'");
        long dim = patch.size(0);
        int depth = encoder.Tensors.Keys.Where(k => k.StartsWith("blocks.", StringComparison.Ordinal))
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
