using System.Text.Json;
using CrossVideoMAE.TestSupport;
using Xunit;
using static CrossVideoMAE.Model.Tests.CheckpointTestSupport;

namespace CrossVideoMAE.Model.Tests;

/// <summary>
/// Foreign checkpoints written once by PyTorch for the key-map, resampling, cross-check and export
/// tests: the three reference encoders of Fixtures/vit_reference.py (mae.pth, mae_st.pth,
/// videomae.pth with their inputs and outputs), the fused tensors PyTorch computes from them,
/// further VideoMAE/MAE variants, and F.interpolate results for the resampling tests.
/// </summary>
public sealed class ForeignCheckpointFixtures : IDisposable
{
    public TempDir Dir { get; } = new("cvmae-foreign");

    public static string FixtureScripts => Path.Combine(RepoPaths.Root, "tests", "Model.Tests", "Fixtures");

    public ForeignCheckpointFixtures() => PythonSections(Dir, References, Variants, Resampling);

    /// <summary>The architecture Fixtures/vit_reference.py wrote next to a layout's files.</summary>
    public JsonElement Config(string layout) => JsonDocument.Parse(File.ReadAllText(Dir.File(layout + ".json"))).RootElement;

    private static string References => $$"""
        import sys, torch, st
        sys.path.insert(0, {{JsonSerializer.Serialize(FixtureScripts)}})
        import vit_reference as vr
        for layout, (sd, x, y) in vr.write_all('.').items():
            expected = {}
            for i in range(vr.CONFIGS[layout]['depth']):
                b = 'blocks.%d.' % i
                expected[b + 'attn.qkv.weight'], expected[b + 'attn.qkv.bias'] = vr.qkv_of(sd, b)
            if layout == 'mae':
                expected['pos_embed'] = sd['pos_embed'][:, 1:, :].contiguous()
            st.save(expected, layout + '.expected.safetensors')
        """;

    // VideoMAE fine-tuned (under 'module', fc_norm instead of norm, layer-scale gammas, a head) and
    // MAE image saved through DistributedDataParallel (every key under 'module.').
    private const string Variants = """
        import collections, torch
        mae = torch.load('mae.pth')
        torch.save({'model': collections.OrderedDict(('module.' + k, v) for k, v in mae.items()), 'epoch': 3}, 'mae_ddp.pth')
        enc = {k[len('encoder.'):]: v for k, v in torch.load('videomae.pth')['model'].items() if k.startswith('encoder.')}
        ft = collections.OrderedDict()
        for k, v in enc.items():
            ft[('fc_norm.' + k[len('norm.'):]) if k.startswith('norm.') else k] = v
        ft['blocks.0.gamma_1'] = torch.ones(48)
        ft['head.weight'] = torch.zeros(10, 48)
        ft['head.bias'] = torch.zeros(10)
        torch.save({'module': ft}, 'videomae_ft.pth')
        """;

    // PyTorch's own interpolation of positional tables, on the fixtures' tables and on random ones.
    private const string Resampling = """
        import torch, torch.nn.functional as F, st
        def spatial(p, h, w, th, tw):
            d = p.shape[-1]
            g = p.reshape(1, h, w, d).permute(0, 3, 1, 2)
            return F.interpolate(g, size=(th, tw), mode='bicubic', align_corners=False).permute(0, 2, 3, 1).reshape(1, th * tw, d)
        def temporal(p, t):
            return F.interpolate(p.permute(0, 2, 1), size=t, mode='linear', align_corners=False).permute(0, 2, 1)
        torch.manual_seed(5)
        sp, tp, jp = torch.randn(1, 14 * 14, 24), torch.randn(1, 8, 24), torch.randn(1, 4 * 6 * 6, 24)
        # Joint table: bicubic per frame, then linear over time at every spatial position.
        per_frame = torch.cat([spatial(jp[:, f * 36:(f + 1) * 36], 6, 6, 4, 5) for f in range(4)])  # [4, 20, 24]
        lines = per_frame.permute(1, 2, 0).reshape(1, 20 * 24, 4)                                       # [1, 20*24, T]
        timed = F.interpolate(lines, size=7, mode='linear', align_corners=False)                         # [1, 20*24, 7]
        joint = timed.reshape(20, 24, 7).permute(2, 0, 1).reshape(1, 7 * 20, 24)
        mae = torch.load('mae.pth')['pos_embed'][:, 1:, :]
        mae_st = torch.load('mae_st.pth')
        st.save({'spatial_in': sp, 'spatial_7x9': spatial(sp, 14, 14, 7, 9), 'spatial_20x20': spatial(sp, 14, 14, 20, 20),
                 'temporal_in': tp, 'temporal_5': temporal(tp, 5), 'temporal_16': temporal(tp, 16),
                 'joint_in': jp, 'joint_7x4x5': joint,
                 'mae_pos_7x7': spatial(mae, 4, 4, 7, 7),
                 'mae_st_spatial_2x3': spatial(mae_st['pos_embed_spatial'], 4, 4, 2, 3),
                 'mae_st_temporal_6': temporal(mae_st['pos_embed_temporal'], 6),
                 'mae_st_joint': mae_st['pos_embed_spatial'].repeat(1, 4, 1) + torch.repeat_interleave(mae_st['pos_embed_temporal'], 16, dim=1)},
                'resampled.safetensors')
        """;

    public void Dispose() => Dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ForeignCheckpointCollection : ICollectionFixture<ForeignCheckpointFixtures>
{
    public const string Name = "foreign checkpoints";
}
