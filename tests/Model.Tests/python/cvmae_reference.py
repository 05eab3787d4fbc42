"""An independent PyTorch reading of docs/method.md and the MAE/MAE-ST layouts, written from the
formulas (loops where the paper prints sums), used as the expected values of the C# tests."""
import math

import torch
import torch.nn.functional as F

EPS = 1e-6


# ---- positional tables (MAE's get_2d_sincos_pos_embed, separable sum for video) ----
def sincos_1d(n, dim):
    omega = torch.arange(dim // 2, dtype=torch.float64) / (dim / 2.0)
    omega = 1.0 / 10000 ** omega
    out = torch.arange(n, dtype=torch.float64)[:, None] * omega[None, :]
    return torch.cat([torch.sin(out), torch.cos(out)], dim=1)


def sincos_2d(h, w, dim):
    rows = sincos_1d(h, dim // 2)          # [h, dim/2]
    cols = sincos_1d(w, dim // 2)          # [w, dim/2]
    table = torch.zeros(h * w, dim, dtype=torch.float64)
    for r in range(h):
        for c in range(w):
            table[r * w + c] = torch.cat([rows[r], cols[c]])
    return table


def pos_table(sd, prefix, grid, dim, learned, video):
    t, h, w = grid
    if not learned:
        table = sincos_2d(h, w, dim)
        if video:
            temporal = sincos_1d(t, dim)
            table = torch.cat([table + temporal[i] for i in range(t)], dim=0)
        return table.float()[None]
    spatial = sd[prefix + "_spatial"]
    if not video:
        return spatial
    temporal = sd[prefix + "_temporal"]
    return spatial.repeat(1, t, 1) + torch.repeat_interleave(temporal, h * w, dim=1)


# ---- transformer pieces ----
def linear(x, sd, p):
    return F.linear(x, sd[p + ".weight"], sd.get(p + ".bias"))


def layer_norm(x, sd, p):
    return F.layer_norm(x, (x.shape[-1],), sd[p + ".weight"], sd[p + ".bias"], EPS)


def mlp(x, sd, p):
    return linear(F.gelu(linear(x, sd, p + ".fc1")), sd, p + ".fc2")


def attention(x, sd, p, heads, layout):
    b, n, d = x.shape
    if layout == "fused":
        qkv = linear(x, sd, p + ".qkv")
        q, k, v = qkv[..., :d], qkv[..., d:2 * d], qkv[..., 2 * d:]
    elif layout == "split":
        q, k, v = linear(x, sd, p + ".q"), linear(x, sd, p + ".k"), linear(x, sd, p + ".v")
    else:  # VideoMAE: qkv without bias, q_bias and v_bias, k unbiased
        wq, wk, wv = sd[p + ".qkv.weight"].chunk(3, dim=0)
        q = F.linear(x, wq, sd[p + ".q_bias"])
        k = F.linear(x, wk)
        v = F.linear(x, wv, sd[p + ".v_bias"])
    hd = d // heads

    def split(t):
        return t.reshape(b, n, heads, hd).transpose(1, 2)

    q, k, v = split(q), split(k), split(v)
    att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hd), dim=-1)
    y = (att @ v).transpose(1, 2).reshape(b, n, d)
    return linear(y, sd, p + ".proj")


def block(x, sd, p, heads, layout="fused"):
    x = x + attention(layer_norm(x, sd, p + ".norm1"), sd, p + ".attn", heads, layout)
    return x + mlp(layer_norm(x, sd, p + ".norm2"), sd, p + ".mlp")


def encoder(x, sd, p, cfg, ids_keep, video):
    """x: [B, C, T, H, W] (video) or [B, C, H, W]; returns the visible tokens after the blocks (and norm)."""
    wt = sd[p + ".patch_embed.proj.weight"]
    if video:
        y = F.conv3d(x, wt, sd[p + ".patch_embed.proj.bias"], stride=wt.shape[2:])
        grid = tuple(y.shape[2:])
    else:
        y = F.conv2d(x, wt, sd[p + ".patch_embed.proj.bias"], stride=wt.shape[2:])
        grid = (1,) + tuple(y.shape[2:])
    tokens = y.flatten(2).transpose(1, 2)
    tokens = tokens + pos_table(sd, p + ".pos_embed", grid, tokens.shape[-1], cfg.get("learned", False), video)
    if ids_keep is not None:
        tokens = torch.stack([tokens[i, ids_keep[i]] for i in range(tokens.shape[0])])
    if (p + ".cls_token") in sd:
        tokens = torch.cat([sd[p + ".cls_token"].expand(tokens.shape[0], -1, -1), tokens], dim=1)
    for i in range(cfg["depth"]):
        tokens = block(tokens, sd, f"{p}.blocks.{i}", cfg["heads"], cfg.get("layout", "fused"))
    if (p + ".norm.weight") in sd:
        tokens = layer_norm(tokens, sd, p + ".norm")
    if (p + ".cls_token") in sd:
        tokens = tokens[:, 1:]
    return tokens


def decoder(visible, sd, ids_keep, grid, cfg):
    """visible: [B, Lv, E] in ids_keep order -> [B, L, W]: every hidden position gets the mask token."""
    t, h, w = grid
    L = t * h * w
    x = linear(visible, sd, "decoder.decoder_embed")
    b, _, width = x.shape
    full = sd["decoder.mask_token"].expand(b, L, width).clone()
    for i in range(b):
        full[i, ids_keep[i]] = x[i]
    full = full + pos_table(sd, "decoder.decoder_pos_embed", grid, width, cfg.get("learned", False), True)
    for i in range(cfg["decoder_depth"]):
        full = block(full, sd, f"decoder.decoder_blocks.{i}", cfg["decoder_heads"])
    return layer_norm(full, sd, "decoder.decoder_norm")


# ---- embeddings of the contrastive losses ----
def frame_level(emb, ids_keep, frame_idx, spatial, tubelet, slices):
    """z_f per docs/method.md, with loops: tokens of the tubelet holding frame k; if none is visible, the
    nearest tubelet with a visible token (the earlier one on a tie); n frames averaged."""
    b = emb.shape[0]
    out = []
    for i in range(b):
        vecs = []
        present = sorted(set(int(v) // spatial for v in ids_keep[i]))
        for k in frame_idx[i].tolist():
            target = k // tubelet
            best = min(present, key=lambda s: (abs(s - target), s))
            rows = [j for j, v in enumerate(ids_keep[i].tolist()) if v // spatial == best]
            vecs.append(emb[i, rows].mean(0))
        out.append(torch.stack(vecs).mean(0))
    return torch.stack(out)


# ---- losses as printed ----
def s(a, b):
    return F.cosine_similarity(a, b, dim=0)


def printed(A, B, tau):
    """-log( exp(s(A_i,B_i)/tau) / (sum_{k!=i} exp(s(A_i,A_k)/tau) + sum_k exp(s(A_i,B_k)/tau)) ), per i."""
    n = A.shape[0]
    out = []
    for i in range(n):
        num = torch.exp(s(A[i], B[i]) / tau)
        den = sum(torch.exp(s(A[i], A[k]) / tau) for k in range(n) if k != i)
        den = den + sum(torch.exp(s(A[i], B[k]) / tau) for k in range(n))
        out.append(-torch.log(num / den))
    return torch.stack(out)


def contrastive(A, B, tau, symmetric):
    one = printed(A, B, tau).mean()
    return (one + printed(B, A, tau).mean()) / 2 if symmetric else one


def patchify(video, u, p):
    b, c, t, h, w = video.shape
    x = video.reshape(b, c, t // u, u, h // p, p, w // p, p)
    x = torch.einsum("nctuhpwq->nthwupqc", x)
    return x.reshape(b, (t // u) * (h // p) * (w // p), u * p * p * c)


def reconstruction(pred, video, mask, u, p, norm_pix):
    target = patchify(video, u, p)
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.0e-6) ** 0.5
    loss = ((pred - target) ** 2).mean(dim=-1)
    return (loss * mask).sum() / mask.sum()


def decoder_mse(p1, p2):
    return ((p1 - p2) ** 2).mean()
