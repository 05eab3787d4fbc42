using System.Text.RegularExpressions;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.KeyMaps;

/// <summary>
/// The one renaming engine behind the three formats. Block keys keep their timm/MAE names
/// (norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2); split q/k/v projections and
/// VideoMAE's q_bias/v_bias are fused into attn.qkv; positional embeddings lose the class-token
/// slot and are resampled to the target grid; decoder, head and class-token keys are ignored.
/// </summary>
internal sealed partial class EncoderKeyMapper(ForeignCheckpointFormat format, KeyMapOptions options)
{
    [GeneratedRegex(@"^blocks\.(\d{1,6})\.(.+)$")]
    private static partial Regex BlockKey();

    private static readonly HashSet<string> BlockPassThrough =
    [
        "norm1.weight", "norm1.bias", "attn.proj.weight", "attn.proj.bias",
        "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias",
    ];

    private int fusedWeights, fusedBiases, withoutBias;

    public KeyMapResult Map(IReadOnlyDictionary<string, Tensor> source)
    {
        var r = new KeyMapResult(format);
        try
        {
            Dictionary<string, Tensor> keys = SourcePrefixes.Strip(source, r.Notes);
            CheckPatchEmbed(keys);

            var blocks = new SortedDictionary<int, Dictionary<string, Tensor>>();
            var top = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (k, v) in keys)
            {
                Match m = BlockKey().Match(k);
                if (!m.Success) { top[k] = v; continue; }
                int i = int.Parse(m.Groups[1].Value);
                if (!blocks.TryGetValue(i, out var parts)) blocks[i] = parts = new(StringComparer.Ordinal);
                parts[m.Groups[2].Value] = v;
            }
            if (blocks.Count > 0 && (blocks.Keys.First() != 0 || blocks.Keys.Last() != blocks.Count - 1))
                throw new InvalidDataException($"checkpoint blocks are numbered {string.Join(", ", blocks.Keys)}, not 0..{blocks.Count - 1}");

            foreach (var (i, parts) in blocks) MapBlock($"blocks.{i}", parts, r);
            MapTop(top, r);
            if (options.JointPositions) JoinSeparable(r);

            if (fusedWeights > 0) r.Notes.Add($"fused separate attn.q/k/v weights into attn.qkv in {fusedWeights} blocks");
            if (fusedBiases > 0) r.Notes.Add($"built attn.qkv.bias from separate biases in {fusedBiases} blocks (a missing k bias is zeros)");
            if (withoutBias > 0) r.Notes.Add($"{withoutBias} blocks have no qkv bias in the checkpoint");
            return r;
        }
        catch
        {
            r.Dispose();
            throw;
        }
    }

    private void CheckPatchEmbed(Dictionary<string, Tensor> keys)
    {
        if (!keys.TryGetValue("patch_embed.proj.weight", out Tensor? w))
            throw new InvalidDataException("checkpoint has no patch_embed.proj.weight: not a ViT encoder in MAE/timm naming " +
                $"(first keys: {string.Join(", ", keys.Keys.Take(8))})");
        int rank = w.dim();
        if (format == ForeignCheckpointFormat.MaeImage && rank != 4)
            throw new InvalidDataException($"patch_embed.proj.weight is rank {rank} ([{string.Join(", ", w.shape)}]): not an image (Conv2d) checkpoint; use a video key map");
        if (format != ForeignCheckpointFormat.MaeImage && rank != 5)
            throw new InvalidDataException($"patch_embed.proj.weight is rank {rank} ([{string.Join(", ", w.shape)}]): not a video (Conv3d) checkpoint; use the image key map");
    }

    private void MapBlock(string b, Dictionary<string, Tensor> parts, KeyMapResult r)
    {
        Tensor? Take(string name) => parts.Remove(name, out Tensor? t) ? t : null;
        Tensor? qkvW = Take("attn.qkv.weight"), qkvB = Take("attn.qkv.bias");
        Tensor? qW = Take("attn.q.weight"), kW = Take("attn.k.weight"), vW = Take("attn.v.weight");
        Tensor? qB = Take("attn.q.bias"), kB = Take("attn.k.bias"), vB = Take("attn.v.bias");
        Tensor? qBias = Take("attn.q_bias"), vBias = Take("attn.v_bias");

        foreach (var (rest, t) in parts)
        {
            if (BlockPassThrough.Contains(rest)) r.Tensors[$"{b}.{rest}"] = t.alias();
            else r.Unmapped.Add($"{b}.{rest}");
        }

        bool split = qW is not null || kW is not null || vW is not null;
        if (qkvW is not null && split) throw new InvalidDataException($"{b}: has both a fused attn.qkv.weight and separate q/k/v weights");
        if (qkvW is not null)
        {
            long[] s = qkvW.shape;
            if (s.Length != 2 || s[0] != 3 * s[1]) throw new InvalidDataException($"{b}.attn.qkv.weight has shape [{string.Join(", ", s)}], expected [3D, D]");
            r.Tensors[$"{b}.attn.qkv.weight"] = qkvW.alias();
        }
        else if (qW is not null && kW is not null && vW is not null)
        {
            r.Tensors[$"{b}.attn.qkv.weight"] = QkvFusion.Weight(b, qW, kW, vW);
            fusedWeights++;
        }
        else if (split) throw new InvalidDataException($"{b}: has only some of attn.q/k/v.weight");
        else throw new InvalidDataException($"{b}: has no attention projection (attn.qkv.weight or attn.q/k/v.weight)");

        int biasForms = (qkvB is not null ? 1 : 0) + (qB is not null || kB is not null || vB is not null ? 1 : 0) + (qBias is not null || vBias is not null ? 1 : 0);
        if (biasForms > 1) throw new InvalidDataException($"{b}: qkv bias is given in more than one form");
        if (qkvB is not null) r.Tensors[$"{b}.attn.qkv.bias"] = qkvB.alias();
        else if (qB is not null || kB is not null || vB is not null) { r.Tensors[$"{b}.attn.qkv.bias"] = QkvFusion.Bias(b, qB, kB, vB); fusedBiases++; }
        else if (qBias is not null || vBias is not null) { r.Tensors[$"{b}.attn.qkv.bias"] = QkvFusion.Bias(b, qBias, null, vBias); fusedBiases++; }
        else withoutBias++;
    }

    private void MapTop(Dictionary<string, Tensor> top, KeyMapResult r)
    {
        bool hasCls = top.ContainsKey("cls_token");
        bool hasNorm = top.ContainsKey("norm.weight");
        foreach (var (k, t) in top)
        {
            switch (k)
            {
                case "patch_embed.proj.weight" or "patch_embed.proj.bias" or "norm.weight" or "norm.bias":
                    r.Tensors[k] = t.alias();
                    break;
                case "fc_norm.weight" or "fc_norm.bias" when !hasNorm:
                    r.Tensors["norm." + k["fc_norm.".Length..]] = t.alias();
                    if (k == "fc_norm.weight") r.Notes.Add("the checkpoint normalises after pooling (fc_norm) and has no final norm; fc_norm is loaded as norm");
                    break;
                case "fc_norm.weight" or "fc_norm.bias":
                    r.Ignored.Add($"{k}: pooled-feature norm of a classifier (the final norm is taken from norm.*)");
                    break;
                case "cls_token":
                    r.Ignored.Add($"{k}: class token (our encoders have none)");
                    break;
                case "pos_embed_class":
                    r.Ignored.Add($"{k}: class-token position (our encoders have no class token)");
                    break;
                case "mask_token":
                    r.Ignored.Add($"{k}: decoder mask token (pretraining only)");
                    break;
                case "pos_embed":
                    r.Tensors[k] = JointPosEmbed(t, hasCls, r);
                    break;
                case "pos_embed_spatial":
                    r.Tensors[k] = SpatialPosEmbed(t, r);
                    break;
                case "pos_embed_temporal":
                    r.Tensors[k] = TemporalPosEmbed(t, r);
                    break;
                default:
                    if (k.StartsWith("decoder", StringComparison.Ordinal) || k.StartsWith("encoder_to_decoder", StringComparison.Ordinal))
                        r.Ignored.Add($"{k}: decoder (pretraining only)");
                    else if (k.StartsWith("head.", StringComparison.Ordinal) || k.StartsWith("head_", StringComparison.Ordinal))
                        r.Ignored.Add($"{k}: classification head");
                    else
                        r.Unmapped.Add(k);
                    break;
            }
        }
    }

    private static void JoinSeparable(KeyMapResult r)
    {
        bool hasS = r.Tensors.Remove("pos_embed_spatial", out Tensor? spatial), hasT = r.Tensors.Remove("pos_embed_temporal", out Tensor? temporal);
        try
        {
            if (!hasS && !hasT) return;
            if (!hasS || !hasT) throw new InvalidDataException("the checkpoint has only one of pos_embed_spatial and pos_embed_temporal");
            if (r.Tensors.ContainsKey("pos_embed")) throw new InvalidDataException("the checkpoint has both a joint pos_embed and separable ones");
            r.Tensors["pos_embed"] = SeparablePosEmbed.Join(spatial!, temporal!);
            r.Notes.Add($"joined pos_embed_spatial and pos_embed_temporal into pos_embed [{string.Join(", ", r.Tensors["pos_embed"].shape)}]");
        }
        finally
        {
            spatial?.Dispose();
            temporal?.Dispose();
        }
    }

    private Tensor JointPosEmbed(Tensor t, bool hasCls, KeyMapResult r)
    {
        long[] s = CheckPos(t, "pos_embed");
        long n = s[1];
        // MAE's image pos_embed always has the class slot; without a cls_token key, a count of 1 + a square says so.
        if (!hasCls && format == ForeignCheckpointFormat.MaeImage && !IsSquare(n) && IsSquare(n - 1)) hasCls = true;
        using var scope = torch.NewDisposeScope();
        Tensor body = hasCls ? t.narrow(1, 1, n - 1) : t.alias(); // [1, N, D]
        if (hasCls) r.Notes.Add($"pos_embed: dropped the class-token slot ([1, {n}, {s[2]}] -> [1, {n - 1}, {s[2]}])");
        long tokens = body.size(1);

        if (format == ForeignCheckpointFormat.MaeImage)
        {
            (int H, int W) from = options.SourceGrid is { } g ? (g.H, g.W) : Square(tokens, "pos_embed");
            if (options.SpatialGrid is { } to && to != from)
            {
                body = PosEmbedResampler.ResampleSpatial(body, from, to);
                r.Notes.Add($"pos_embed: resampled the {from.H}x{from.W} grid to {to.H}x{to.W} (bicubic)");
            }
        }
        else if (options.SpatialGrid is { } toS && options.TemporalGrid is { } toT)
        {
            (int T, int H, int W) from = options.SourceGrid ?? InferVideoGrid(tokens, toT, toS);
            (int T, int H, int W) to = (toT, toS.H, toS.W);
            if (to != from)
            {
                body = PosEmbedResampler.ResampleJoint(body, from, to);
                r.Notes.Add($"pos_embed: resampled the {from.T}x{from.H}x{from.W} grid to {to.T}x{to.H}x{to.W} (bicubic in space, linear in time)");
            }
        }
        return scope.MoveToOuter(body).DetachFromDisposeScope();
    }

    private Tensor SpatialPosEmbed(Tensor t, KeyMapResult r)
    {
        long[] s = CheckPos(t, "pos_embed_spatial");
        (int H, int W) from = options.SourceGrid is { } g ? (g.H, g.W) : Square(s[1], "pos_embed_spatial");
        if (options.SpatialGrid is not { } to || to == from) return t.alias();
        r.Notes.Add($"pos_embed_spatial: resampled the {from.H}x{from.W} grid to {to.H}x{to.W} (bicubic)");
        return PosEmbedResampler.ResampleSpatial(t, from, to);
    }

    private Tensor TemporalPosEmbed(Tensor t, KeyMapResult r)
    {
        long[] s = CheckPos(t, "pos_embed_temporal");
        int from = checked((int)s[1]);
        if (options.TemporalGrid is not { } to || to == from) return t.alias();
        r.Notes.Add($"pos_embed_temporal: resampled {from} temporal positions to {to} (linear)");
        return PosEmbedResampler.ResampleTemporal(t, from, to);
    }

    // A joint table's token count is T*H*W; try the target's T with a square frame grid, then the target's frame grid.
    private static (int T, int H, int W) InferVideoGrid(long tokens, int targetT, (int H, int W) targetS)
    {
        if (tokens % targetT == 0 && IsSquare(tokens / targetT))
        {
            int side = (int)Math.Round(Math.Sqrt(tokens / targetT));
            return (targetT, side, side);
        }
        long frame = (long)targetS.H * targetS.W;
        if (tokens % frame == 0) return ((int)(tokens / frame), targetS.H, targetS.W);
        throw new InvalidDataException($"pos_embed has {tokens} positions; its space-time grid cannot be inferred, set KeyMapOptions.SourceGrid");
    }

    private static long[] CheckPos(Tensor t, string name)
    {
        long[] s = t.shape;
        if (s.Length != 3 || s[0] != 1 || s[1] < 1)
            throw new InvalidDataException($"{name} has shape [{string.Join(", ", s)}], expected [1, N, D]");
        return s;
    }

    private static (int, int) Square(long n, string name)
    {
        if (!IsSquare(n)) throw new InvalidDataException($"{name} has {n} positions, not a square grid; set KeyMapOptions.SourceGrid");
        int side = (int)Math.Round(Math.Sqrt(n));
        return (side, side);
    }

    private static bool IsSquare(long n)
    {
        if (n < 1) return false;
        long r = (long)Math.Round(Math.Sqrt(n));
        return r * r == n;
    }
}
