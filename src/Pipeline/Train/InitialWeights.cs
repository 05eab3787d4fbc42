using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model.Checkpoints.Pth;
using CrossVideoMAE.Model.Vit;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Pipeline.Train;

/// <summary>
/// Puts pre-trained weights into a <see cref="CrossVideoMAE.Model.CrossVideoMAE"/> before training:
/// an encoder from MAE (image), mae_st or VideoMAE (video) checkpoints, as <c>.pth</c> (read
/// without running pickles) or <c>.safetensors</c>, renamed by <see cref="ForeignKeyMaps.MapAuto"/>
/// with positional embeddings resampled to this model's grid; or our own full model state
/// (<c>model.safetensors</c> written by <c>cvmae pretrain</c>). A tensor whose shape differs from the
/// model's is an error naming the file and the tensor.
/// </summary>
public static class InitialWeights
{
    /// <summary>Loads an encoder checkpoint into the encoder under <paramref name="prefix"/>
    /// ("video_encoder." or "image_encoder."); returns a one-line account.</summary>
    public static string LoadEncoder(Module model, ModelConfig config, string path, string prefix)
    {
        bool video = prefix == "video_encoder.";
        Dictionary<string, Tensor> source = ReadTensors(path);
        try
        {
            var options = new KeyMapOptions
            {
                SpatialGrid = video ? ((int)config.VideoGrid.H, (int)config.VideoGrid.W) : ((int)config.ImageGrid.H, (int)config.ImageGrid.W),
                TemporalGrid = video ? (int)config.VideoGrid.T : null,
                JointPositions = !video || config.VideoEncoder.PosEmbed == PositionalEmbeddingKind.SinCos,
            };
            KeyMapResult mapped;
            try { mapped = ForeignKeyMaps.MapAuto(source, options); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
            using (mapped)
            {
                Dictionary<string, Tensor> tensors = mapped.TakeWithPrefix(prefix);
                try
                {
                    int copied = CopyInto(model.state_dict(), tensors, path);
                    int expected = model.state_dict().Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal));
                    return $"{path}: {mapped.Format}, {copied} of {expected} {prefix.TrimEnd('.')} tensors loaded, {mapped.Ignored.Count} ignored, {mapped.Unmapped.Count} unknown";
                }
                finally
                {
                    foreach (Tensor t in tensors.Values) t.Dispose();
                }
            }
        }
        finally
        {
            foreach (Tensor t in source.Values) t.Dispose();
        }
    }

    /// <summary>Loads our own full model state (every tensor must be present and match).</summary>
    public static string LoadModel(Module model, string path)
    {
        var (tensors, _) = SafeTensors.Load(path);
        try
        {
            Dictionary<string, Tensor> target = model.state_dict();
            var missing = target.Keys.Where(k => !tensors.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{path}: not a full CrossVideoMAE model state for this config: it lacks {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? $" ({missing.Count} in all)" : "")}");
            int copied = CopyInto(target, tensors, path);
            return $"{path}: {copied} model tensors loaded";
        }
        finally
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
        }
    }

    private static Dictionary<string, Tensor> ReadTensors(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"initial weights '{path}' do not exist", path);
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return SafeTensors.Load(path).tensors;
        return PthReader.LoadTensors(path);
    }

    // Copies every source tensor that names a model tensor; shapes must agree.
    private static int CopyInto(Dictionary<string, Tensor> target, IReadOnlyDictionary<string, Tensor> source, string path)
    {
        var wrong = new List<string>();
        foreach (var (k, t) in source)
            if (target.TryGetValue(k, out Tensor? dst) && !dst.shape.SequenceEqual(t.shape))
                wrong.Add($"'{k}' is [{string.Join(", ", t.shape)}] in the file but [{string.Join(", ", dst.shape)}] in the model");
        if (wrong.Count > 0) throw new InvalidDataException($"{path}: {string.Join("; ", wrong.Take(5))}");
        int copied = 0;
        using var _ = torch.no_grad();
        foreach (var (k, t) in source)
            if (target.TryGetValue(k, out Tensor? dst))
            {
                dst.copy_(t.to(dst.device, dst.dtype));
                copied++;
            }
        if (copied == 0) throw new InvalidDataException($"{path}: none of its tensors names a tensor of the model");
        return copied;
    }
}
