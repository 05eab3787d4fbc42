using System.Globalization;
using System.Text.RegularExpressions;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;

namespace CrossVideoMAE.Model.Checkpoints.KeyMaps;

/// <summary>
/// Writes an encoder's weights as safetensors in MAE/timm naming so that PyTorch users can load
/// them (names listed in Checkpoints/README.md): fused <c>blocks.{i}.attn.qkv.*</c> (or mae_st's
/// separate q/k/v with <paramref name="splitQkv"/>), <c>pos_embed</c> [1, N, D] without a class slot
/// or <c>pos_embed_spatial</c> [1, H*W, D] / <c>pos_embed_temporal</c> [1, T, D].
/// </summary>
public static partial class MaeExport
{
    [GeneratedRegex(@"^blocks\.(\d+)\.attn\.qkv\.(weight|bias)$")]
    private static partial Regex QkvKey();

    /// <summary>The encoder's tensors under <paramref name="prefix"/>, renamed for export. Returned tensors
    /// are new handles (the fused ones split into views) owned by the caller.</summary>
    public static Dictionary<string, Tensor> ToMaeNames(IReadOnlyDictionary<string, Tensor> modelState, string prefix = "video_encoder.", bool splitQkv = false)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (key, t) in modelState)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                string name = key[prefix.Length..];
                Match m = QkvKey().Match(name);
                if (splitQkv && m.Success)
                {
                    Tensor[] qkv = t.chunk(3, 0); // 3 x [D, D] or [D]
                    string[] parts = ["q", "k", "v"];
                    for (int i = 0; i < 3; i++) result[$"blocks.{m.Groups[1].Value}.attn.{parts[i]}.{m.Groups[2].Value}"] = qkv[i].DetachFromDisposeScope();
                }
                else result[name] = t.alias().DetachFromDisposeScope();
            }
            foreach (string required in new[] { "patch_embed.proj.weight", "norm.weight" })
                if (!result.ContainsKey(required))
                    throw new ArgumentException($"the model state has no '{prefix}{required}'; is '{prefix}' the encoder's prefix?");
        }
        catch
        {
            foreach (Tensor t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>Writes the encoder under <paramref name="prefix"/> to <paramref name="path"/> (atomically), with
    /// metadata describing the layout.</summary>
    public static void SaveVideoEncoder(string path, IReadOnlyDictionary<string, Tensor> modelState, string prefix = "video_encoder.", bool splitQkv = false)
    {
        Dictionary<string, Tensor> tensors = ToMaeNames(modelState, prefix, splitQkv);
        try
        {
            int depth = tensors.Keys.Count(k => k.EndsWith(".norm1.weight", StringComparison.Ordinal));
            long[] patch = tensors["patch_embed.proj.weight"].shape;
            var meta = new Dictionary<string, string>
            {
                ["format"] = "vit-encoder",
                ["naming"] = splitQkv ? "mae_st (attn.q/k/v separate)" : "mae/timm (attn.qkv fused as [q; k; v])",
                ["pos_embed"] = tensors.ContainsKey("pos_embed_spatial") ? "separable: pos_embed_spatial [1, H*W, D] + pos_embed_temporal [1, T, D]" : "pos_embed [1, N, D], no class-token slot",
                ["class_token"] = "none",
                ["depth"] = depth.ToString(CultureInfo.InvariantCulture),
                ["embed_dim"] = patch[0].ToString(CultureInfo.InvariantCulture),
                ["patch_embed"] = "[" + string.Join(", ", patch) + "]",
            };
            SafeTensors.Save(path, tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal), meta);
        }
        finally
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
        }
    }
}
