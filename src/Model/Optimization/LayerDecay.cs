using System.Text.RegularExpressions;
using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;

namespace CrossVideoMAE.Model.Optimization;

/// <summary>
/// Layer-wise learning-rate decay for fine-tuning (BEiT/MAE): the patch embedding, positional
/// embeddings and class token are layer 0, block i is layer i+1, everything after the blocks
/// (head) is layer depth+1; a layer's lr scale is decay^(depth+1-layer). Each (layer, decay/no-decay)
/// pair becomes one group whose <see cref="ParamGroup.LrScale"/> the schedule multiplies in.
/// </summary>
public static partial class LayerDecay
{
    [GeneratedRegex(@"(^|\.)blocks\.(\d+)\.")]
    private static partial Regex BlockIndex();

    public static int LayerId(string name, int depth)
    {
        Match m = BlockIndex().Match(name);
        if (m.Success) return int.Parse(m.Groups[2].Value) + 1;
        string[] parts = name.Split('.');
        if (parts.Any(p => p is "patch_embed" or "cls_token" || p.StartsWith("pos_embed", StringComparison.Ordinal))) return 0;
        return depth + 1;
    }

    public static double Scale(int layerId, int depth, double decay) => Math.Pow(decay, depth + 1 - layerId);

    public static List<ParamGroup> Groups(Module model, int depth, double lr, double weightDecay, double decay = 0.75)
    {
        if (decay is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "layer decay must be in (0, 1]");
        var buckets = new SortedDictionary<(int layer, bool noDecay), List<Parameter>>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            var key = (LayerId(name, depth), ParameterGroups.NoWeightDecay(name, p));
            if (!buckets.TryGetValue(key, out var list)) buckets[key] = list = new List<Parameter>();
            list.Add(p);
        }
        return buckets.Select(kv =>
        {
            double scale = Scale(kv.Key.layer, depth, decay);
            return new ParamGroup(kv.Value, lr * scale, kv.Key.noDecay ? 0.0 : weightDecay,
                $"layer_{kv.Key.layer}_{(kv.Key.noDecay ? "no_decay" : "decay")}") { LrScale = scale };
        }).ToList();
    }
}
