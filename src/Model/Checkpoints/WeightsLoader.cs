using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model.Vit;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Checkpoints;

/// <summary>
/// The one way pre-trained weights get into a model, for <c>cvmae pretrain --init-*</c> and the
/// downstream commands' <c>--weights</c> alike. Any file <see cref="ModelWeights"/> reads (ours or
/// foreign, <c>.pth</c> or <c>.safetensors</c>) is renamed by <see cref="ForeignKeyMaps.MapAuto"/>, which
/// also resamples positional embeddings to the target encoder's grid (the only place that does).
/// A positional table the file has is loaded even into a fixed sin-cos buffer (a foreign learned table
/// is part of what the encoder computes); one the file lacks (VideoMAE's own sinusoid table is never
/// saved) stays as the encoder built it, and the account says so.
/// Every error is an <see cref="InvalidDataException"/> naming the file and the reason.
/// </summary>
public static class WeightsLoader
{
    /// <summary>Where our own files keep a video encoder: a CrossVideoMAE state, a classifier state.</summary>
    public static readonly IReadOnlyList<string> VideoPrefixes = ["video_encoder.", "encoder."];

    /// <summary>Where our own files keep an image encoder.</summary>
    public static readonly IReadOnlyList<string> ImagePrefixes = ["image_encoder."];

    /// <summary>
    /// The encoder's tensors in our encoder names (see Checkpoints/README.md), positional embeddings
    /// resampled as <paramref name="options"/> say. Our own files are recognised by the first of
    /// <paramref name="ownPrefixes"/> that holds a <c>patch_embed</c> (<c>encoder.</c> only next to a
    /// classifier head); anything else goes to the foreign key maps whole. The caller disposes the result.
    /// </summary>
    public static KeyMapResult MapEncoder(ModelWeights weights, IReadOnlyList<string> ownPrefixes, KeyMapOptions options)
    {
        string? own = ownPrefixes.FirstOrDefault(p => weights.State.ContainsKey(p + "patch_embed.proj.weight")
            && (p != "encoder." || weights.State.ContainsKey("head.fc.weight")));
        try
        {
            if (own is null) return ForeignKeyMaps.MapAuto(weights.State, options);
            // Our pos_embed has no class slot even next to a cls_token, so the token goes round the key map.
            var encoder = weights.State.Where(kv => kv.Key.StartsWith(own, StringComparison.Ordinal) && kv.Key != own + "cls_token")
                .ToDictionary(kv => kv.Key[own.Length..], kv => kv.Value, StringComparer.Ordinal);
            KeyMapResult mapped = ForeignKeyMaps.MapAuto(encoder, options);
            if (weights.State.TryGetValue(own + "cls_token", out Tensor? cls)) mapped.Tensors["cls_token"] = cls.alias();
            return mapped;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{weights.Path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Copies the file's encoder into <paramref name="encoder"/>. Every encoder tensor except the
    /// positional embeddings must come from the file with the encoder's shape; a final <c>norm.*</c>
    /// the encoder does not have (classifiers pool before their own norm) is left out. Returns a
    /// one-line account.
    /// </summary>
    public static string LoadEncoder(VisionTransformer encoder, ModelWeights weights, IReadOnlyList<string> ownPrefixes)
    {
        TokenGrid grid = encoder.Grid;
        var options = new KeyMapOptions
        {
            SpatialGrid = ((int)grid.H, (int)grid.W),
            TemporalGrid = grid.HasTime ? (int)grid.T : null,
            JointPositions = encoder.pos_embed.Kind == PositionalEmbeddingKind.SinCos || !grid.HasTime,
        };
        using KeyMapResult mapped = MapEncoder(weights, ownPrefixes, options);
        Dictionary<string, Tensor> target = encoder.state_dict();
        var left = new List<string>();
        foreach (string k in mapped.Tensors.Keys.ToList())
        {
            if (!k.StartsWith("norm.", StringComparison.Ordinal) || target.ContainsKey(k)) continue;
            mapped.Tensors.Remove(k, out Tensor? t);
            t!.Dispose();
            left.Add(k);
        }
        var missing = target.Keys.Where(k => !mapped.Tensors.ContainsKey(k) && !k.StartsWith("pos_embed", StringComparison.Ordinal)).ToList();
        var unexpected = mapped.Tensors.Keys.Where(k => !target.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"{weights.Path}: its {mapped.Format} encoder does not fit this {grid} encoder: missing [{string.Join(", ", missing.Take(8))}], unexpected [{string.Join(", ", unexpected.Take(8))}]");
        int copied = CopyInto(target, mapped.Tensors, weights.Path);
        var kept = target.Keys.Where(k => k.StartsWith("pos_embed", StringComparison.Ordinal) && !mapped.Tensors.ContainsKey(k)).ToList();
        return $"{weights.Path}: {mapped.Format}, {copied} of {target.Count} encoder tensors loaded"
            + (kept.Count > 0 ? $", kept its own {string.Join(" and ", kept)}" : "")
            + (left.Count > 0 ? $", left out {string.Join(", ", left)}" : "")
            + $", {mapped.Ignored.Count} ignored, {mapped.Unmapped.Count} unknown";
    }

    /// <summary>Loads a full model state (ours; every tensor must be present and match).</summary>
    public static string LoadModel(Module model, ModelWeights weights)
    {
        Dictionary<string, Tensor> target = model.state_dict();
        var missing = target.Keys.Where(k => !weights.State.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{weights.Path}: not a full model state for this config: it lacks {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? $" ({missing.Count} in all)" : "")}");
        int copied = CopyInto(target, weights.State, weights.Path);
        return $"{weights.Path}: {copied} model tensors loaded";
    }

    // Copies every source tensor that names a target tensor; shapes must agree.
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
