"""Reference ViT encoders in the three foreign checkpoint layouts, for cross-checking our loader
and encoder against PyTorch.

For each layout this writes, into the output folder:
  <layout>.pth            the state dict exactly as that project names it (torch.save, zip format)
  <layout>.io.safetensors 'input' (the fixed clip or image) and 'output' (the encoder's tokens)
  <layout>.json           the architecture (dims, heads, grid, eps) needed to build a matching encoder

Layouts (PyTorch naming of the original projects):
  mae       facebookresearch/mae image ViT: Conv2d patches, cls_token, pos_embed [1, 1+HW, D]
            (fixed 2-D sin-cos), fused attn.qkv with bias, decoder_* keys.
  mae_st    facebookresearch/mae_st video ViT: Conv3d patches (tubelet 2), separate attn.q/k/v,
            pos_embed_spatial [1, HW, D] + pos_embed_temporal [1, T, D], pos_embed_class, decoder_*.
  videomae  MCG-NJU/VideoMAE pretraining checkpoint: {'model': {'encoder.*', 'decoder.*', ...}},
            attn.qkv without bias plus q_bias / v_bias, learnable pos_embed [1, T*H*W, D].

The encoder output follows our encoders' contract, which has no class token: patch tokens plus
positions (the class slot of pos_embed is not used), the pre-norm blocks, then the final norm:
  tokens [B, N, D] with N = T*H*W in (t, h, w) order (time slowest), as Conv3d(...).flatten(2).transpose(1, 2).
Separable positions add pos_embed_spatial repeated over time plus pos_embed_temporal repeated
over each frame's H*W tokens (mae_st's forward). LayerNorm eps is 1e-6, GELU is exact (erf),
attention scale is head_dim ** -0.5.

Usage: /usr/bin/python3 tests/Model.Tests/Fixtures/vit_reference.py OUT_DIR, or import it and
call write_all(out_dir).
"""
import json
import math
import os
import sys
from collections import OrderedDict

import torch
import torch.nn.functional as F

_HERE = os.path.dirname(os.path.abspath(__file__))
# st.py (safetensors written independently of the C# code): next to this file, in the working
# folder, or in the repository's tests/TestSupport/python.
sys.path[:0] = [_HERE, os.getcwd(), os.path.join(_HERE, '..', '..', 'TestSupport', 'python')]
import st  # noqa: E402

EPS = 1e-6

CONFIGS = {
    # Small on purpose: the tests run on two CPU cores.
    'mae': dict(embed_dim=48, depth=2, num_heads=4, mlp_ratio=4.0, patch=8, tubelet=1, frames=1, size=32, channels=3),
    'mae_st': dict(embed_dim=48, depth=2, num_heads=4, mlp_ratio=4.0, patch=8, tubelet=2, frames=8, size=32, channels=3),
    'videomae': dict(embed_dim=48, depth=2, num_heads=4, mlp_ratio=4.0, patch=8, tubelet=2, frames=4, size=32, channels=3),
}


def grid(cfg):
    side = cfg['size'] // cfg['patch']
    return cfg['frames'] // cfg['tubelet'], side, side


def sincos_2d(d, side):
    """A fixed 2-D sin-cos table in the manner of MAE's get_2d_sincos_pos_embed(cls_token=True):
    [1 + side*side, d], the class slot zeros."""
    def one_d(dim, pos):
        omega = torch.arange(dim // 2, dtype=torch.float64) / (dim / 2.0)
        omega = 1.0 / 10000 ** omega
        out = pos.reshape(-1, 1).double() * omega.reshape(1, -1)
        return torch.cat([torch.sin(out), torch.cos(out)], dim=1)
    gw, gh = torch.meshgrid(torch.arange(side), torch.arange(side), indexing='xy')
    emb = torch.cat([one_d(d // 2, gh), one_d(d // 2, gw)], dim=1)
    return torch.cat([torch.zeros(1, d, dtype=torch.float64), emb]).float()


def make_state(layout, gen):
    """A random state dict in the layout's own naming, plus the weights our forward() needs."""
    cfg = CONFIGS[layout]
    d, hidden = cfg['embed_dim'], int(cfg['embed_dim'] * cfg['mlp_ratio'])
    t, h, w = grid(cfg)

    def rnd(*shape, scale=0.1):
        return torch.randn(*shape, generator=gen) * scale

    sd = OrderedDict()
    if layout == 'mae':
        sd['cls_token'] = rnd(1, 1, d)
        sd['pos_embed'] = sincos_2d(d, h).unsqueeze(0)
        sd['patch_embed.proj.weight'] = rnd(d, cfg['channels'], cfg['patch'], cfg['patch'])
    else:
        sd['patch_embed.proj.weight'] = rnd(d, cfg['channels'], cfg['tubelet'], cfg['patch'], cfg['patch'])
    sd['patch_embed.proj.bias'] = rnd(d)
    if layout == 'mae_st':
        sd['pos_embed_spatial'] = rnd(1, h * w, d, scale=0.02)
        sd['pos_embed_temporal'] = rnd(1, t, d, scale=0.02)
        sd['pos_embed_class'] = rnd(1, 1, d, scale=0.02)
    if layout == 'videomae':
        sd['pos_embed'] = rnd(1, t * h * w, d, scale=0.02)
    for i in range(cfg['depth']):
        b = 'blocks.%d.' % i
        sd[b + 'norm1.weight'] = 1 + rnd(d)
        sd[b + 'norm1.bias'] = rnd(d)
        if layout == 'mae':
            sd[b + 'attn.qkv.weight'] = rnd(3 * d, d)
            sd[b + 'attn.qkv.bias'] = rnd(3 * d)
        elif layout == 'mae_st':
            for p in 'qkv':
                sd[b + 'attn.%s.weight' % p] = rnd(d, d)
                sd[b + 'attn.%s.bias' % p] = rnd(d)
        else:
            sd[b + 'attn.q_bias'] = rnd(d)
            sd[b + 'attn.v_bias'] = rnd(d)
            sd[b + 'attn.qkv.weight'] = rnd(3 * d, d)
        sd[b + 'attn.proj.weight'] = rnd(d, d)
        sd[b + 'attn.proj.bias'] = rnd(d)
        sd[b + 'norm2.weight'] = 1 + rnd(d)
        sd[b + 'norm2.bias'] = rnd(d)
        sd[b + 'mlp.fc1.weight'] = rnd(hidden, d)
        sd[b + 'mlp.fc1.bias'] = rnd(hidden)
        sd[b + 'mlp.fc2.weight'] = rnd(d, hidden)
        sd[b + 'mlp.fc2.bias'] = rnd(d)
    sd['norm.weight'] = 1 + rnd(d)
    sd['norm.bias'] = rnd(d)
    # Pretraining-only parts that an encoder load must ignore.
    sd['mask_token'] = rnd(1, 1, d)
    sd['decoder_embed.weight'] = rnd(16, d)
    sd['decoder_pos_embed'] = rnd(1, 5, 16)
    sd['decoder_blocks.0.norm1.weight'] = rnd(16)
    return sd


def qkv_of(sd, b):
    """The fused projection (weight [3D, D], bias [3D] or None) of block prefix b in any layout."""
    if b + 'attn.q.weight' in sd:
        wt = torch.cat([sd[b + 'attn.%s.weight' % p] for p in 'qkv'])
        bias = torch.cat([sd[b + 'attn.%s.bias' % p] for p in 'qkv'])
        return wt, bias
    if b + 'attn.q_bias' in sd:
        q = sd[b + 'attn.q_bias']
        return sd[b + 'attn.qkv.weight'], torch.cat([q, torch.zeros_like(q), sd[b + 'attn.v_bias']])
    return sd[b + 'attn.qkv.weight'], sd.get(b + 'attn.qkv.bias')


def forward(layout, sd, x):
    """The encoder: x [B, C, T, H, W] (or [B, C, H, W] for mae) -> tokens [B, N, D]."""
    cfg = CONFIGS[layout]
    d, heads = cfg['embed_dim'], cfg['num_heads']
    t, h, w = grid(cfg)
    if layout == 'mae':
        tok = F.conv2d(x, sd['patch_embed.proj.weight'], sd['patch_embed.proj.bias'], stride=cfg['patch'])
        tok = tok.flatten(2).transpose(1, 2)                        # [B, HW, D]
        tok = tok + sd['pos_embed'][:, 1:, :]                       # the class slot is not used
    else:
        k = (cfg['tubelet'], cfg['patch'], cfg['patch'])
        tok = F.conv3d(x, sd['patch_embed.proj.weight'], sd['patch_embed.proj.bias'], stride=k)
        tok = tok.flatten(2).transpose(1, 2)                        # [B, T*H*W, D]
        if layout == 'mae_st':
            pos = sd['pos_embed_spatial'].repeat(1, t, 1) + torch.repeat_interleave(sd['pos_embed_temporal'], h * w, dim=1)
        else:
            pos = sd['pos_embed']
        tok = tok + pos
    bsz, n, _ = tok.shape
    for i in range(cfg['depth']):
        b = 'blocks.%d.' % i
        y = F.layer_norm(tok, (d,), sd[b + 'norm1.weight'], sd[b + 'norm1.bias'], EPS)
        wt, bias = qkv_of(sd, b)
        qkv = F.linear(y, wt, bias).reshape(bsz, n, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
        q, kk, v = qkv[0], qkv[1], qkv[2]                           # [B, heads, N, hd]
        att = (q @ kk.transpose(-2, -1)) * (d // heads) ** -0.5
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(bsz, n, d)
        tok = tok + F.linear(y, sd[b + 'attn.proj.weight'], sd[b + 'attn.proj.bias'])
        y = F.layer_norm(tok, (d,), sd[b + 'norm2.weight'], sd[b + 'norm2.bias'], EPS)
        y = F.linear(F.gelu(F.linear(y, sd[b + 'mlp.fc1.weight'], sd[b + 'mlp.fc1.bias'])), sd[b + 'mlp.fc2.weight'], sd[b + 'mlp.fc2.bias'])
        tok = tok + y
    return F.layer_norm(tok, (d,), sd['norm.weight'], sd['norm.bias'], EPS)


def write(layout, out_dir, seed=0):
    gen = torch.Generator().manual_seed(seed)
    cfg = CONFIGS[layout]
    sd = make_state(layout, gen)
    if layout == 'mae':
        x = torch.randn(2, cfg['channels'], cfg['size'], cfg['size'], generator=gen)
    else:
        x = torch.randn(2, cfg['channels'], cfg['frames'], cfg['size'], cfg['size'], generator=gen)
    with torch.no_grad():
        y = forward(layout, sd, x)
    saved = sd
    if layout == 'videomae':
        # VideoMAE pretraining: the encoder under 'encoder.', a decoder beside it, all under 'model'.
        saved = OrderedDict()
        for k, v in sd.items():
            if k.startswith('decoder_blocks.'):
                saved['decoder.blocks.' + k[len('decoder_blocks.'):]] = v
            elif k == 'mask_token':
                saved[k] = v
            elif not k.startswith('decoder_'):
                saved['encoder.' + k] = v
        saved['encoder_to_decoder.weight'] = torch.randn(16, cfg['embed_dim'], generator=gen)
        saved['decoder.head.weight'] = torch.randn(8, 16, generator=gen)
        saved = {'model': saved, 'epoch': 799}
    torch.save(saved, os.path.join(out_dir, layout + '.pth'))
    st.save({'input': x, 'output': y}, os.path.join(out_dir, layout + '.io.safetensors'))
    t, h, w = grid(cfg)
    meta = dict(cfg, layout=layout, grid=[t, h, w], layer_norm_eps=EPS, class_token=False,
                pos_embed='separable' if layout == 'mae_st' else ('fixed sin-cos with class slot' if layout == 'mae' else 'learned joint'))
    with open(os.path.join(out_dir, layout + '.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    return sd, x, y


def write_all(out_dir):
    return {layout: write(layout, out_dir, seed=i) for i, layout in enumerate(CONFIGS)}


if __name__ == '__main__':
    write_all(sys.argv[1] if len(sys.argv) > 1 else '.')
