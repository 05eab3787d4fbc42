using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Vit;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// The attention of an encoder's last block, recomputed from its public weights (no change to the
/// model): the tokens go through every earlier block as in <see cref="VisionTransformer.forward"/>,
/// then <c>softmax(q kᵀ / sqrt(d))</c> of the last block's <c>norm1</c> output, with q and k from its
/// qkv projection in whichever layout it stores. Averaged over heads.
/// </summary>
public static class LastBlockAttention
{
    /// <summary>video [B, C, T, H, W] -> attention [B, N, N] (rows: queries, columns: keys; each row sums to 1), patch tokens only.</summary>
    public static Tensor Weights(VisionTransformer encoder, Tensor video)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        long b = video.size(0), d = encoder.Config.EmbedDim;
        Tensor x = encoder.patch_embed.forward(video) + encoder.pos_embed.Table();       // [B, L, D]
        if (encoder.cls_token is not null) x = torch.cat([encoder.cls_token.expand(b, 1, d), x], 1); // [B, 1+L, D]
        for (int i = 0; i < encoder.blocks.Count - 1; i++) x = encoder.blocks[i].forward(x);
        Block last = encoder.blocks[^1];
        Tensor h = last.norm1.forward(x);                                                // [B, N, D]
        Attention attn = last.attn;
        long n = h.size(1), heads = attn.NumHeads, hd = d / heads;
        Tensor qkv = Project(attn, h).reshape(b, n, 3, heads, hd).permute(2, 0, 3, 1, 4); // [3, B, H, N, d]
        Tensor scores = qkv[0].matmul(qkv[1].transpose(-2, -1)) / Math.Sqrt(hd);       // [B, H, N, N]
        Tensor weights = torch.nn.functional.softmax(scores, -1).mean(1);               // [B, N, N]
        if (encoder.cls_token is not null)
        {
            weights = weights.narrow(1, 1, n - 1).narrow(2, 1, n - 1);                    // [B, L, L]
            weights = weights / weights.sum(-1, keepdim: true);
        }
        return scope.MoveToOuter(weights);
    }

    /// <summary>Attention received by each token: the mean over queries of <see cref="Weights"/> -> [B, L].</summary>
    public static Tensor Received(VisionTransformer encoder, Tensor video)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(Weights(encoder, video).mean(1));
    }

    // h [B, N, D] -> [B, N, 3D] holding q | k | v
    private static Tensor Project(Attention attn, Tensor h)
    {
        switch (attn.Layout)
        {
            case QkvLayout.Split:
                return torch.cat([attn.q!.forward(h), attn.k!.forward(h), attn.v!.forward(h)], -1);
            case QkvLayout.FusedWithQvBias when attn.q_bias is not null:
                using (Tensor kBias = torch.zeros_like(attn.q_bias))
                using (Tensor bias = torch.cat([attn.q_bias, kBias, attn.v_bias!], 0))
                    return torch.nn.functional.linear(h, attn.qkv!.weight, bias);
            default:
                return attn.qkv!.forward(h);
        }
    }
}
