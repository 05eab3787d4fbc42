using CrossVideoMAE.Model.Checkpoints.Pth;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Model.Tests.CheckpointTestSupport;

namespace CrossVideoMAE.Model.Tests;

/// <summary>The .pth files of <see cref="CheckpointPthTests"/>, written once by PyTorch.</summary>
public sealed class PthFixtures : IDisposable
{
    public TempDir Dir { get; } = new();
    public string[] Output { get; }

    public PthFixtures() => Output = PythonSections(Dir, CheckpointPthTests.DtypesAndViews, CheckpointPthTests.Wrapped,
        CheckpointPthTests.UnderModuleOrStateDict, CheckpointPthTests.BigEndian);

    public void Dispose() => Dir.Dispose();
}

/// <summary>.pth files written by PyTorch's own torch.save load with exactly PyTorch's values.</summary>
public class CheckpointPthTests(PthFixtures fx) : IClassFixture<PthFixtures>
{
    // Every dtype the reader supports, and views that are not plain contiguous tensors.
    internal const string DtypesAndViews = """
        import collections, torch, st
        torch.manual_seed(0)
        base = torch.randn(4, 6)
        sd = collections.OrderedDict()
        sd['f32'] = torch.randn(3, 5)
        sd['f64'] = torch.randn(2, 3, dtype=torch.float64)
        sd['f16'] = (torch.randn(7) * 100).half()
        sd['bf16'] = (torch.randn(2, 4) * 1000).bfloat16()
        sd['i64'] = torch.arange(-5, 7, dtype=torch.int64).reshape(3, 4) * 123456789012345
        sd['i32'] = torch.arange(-3, 3, dtype=torch.int32) * 100000
        sd['i16'] = torch.tensor([-32768, -1, 0, 32767], dtype=torch.int16)
        sd['i8'] = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
        sd['u8'] = torch.tensor([0, 1, 200, 255], dtype=torch.uint8)
        sd['bool'] = torch.tensor([True, False, True])
        sd['transposed'] = base.t()               # stride (1, 6)
        sd['sliced'] = base[1:3, 2:5]             # storage offset 8, stride (6, 1)
        sd['stepped'] = base[:, ::2]              # stride (6, 2)
        sd['column'] = base[:, 3]                 # offset 3, stride (6,)
        sd['expanded'] = torch.randn(3, 1).expand(3, 4)   # stride (1, 0)
        sd['permuted3d'] = torch.randn(2, 3, 4).permute(2, 0, 1)
        sd['half_view'] = torch.randn(4, 4).half()[1:, ::3]
        sd['scalar'] = torch.tensor(2.5)
        sd['empty'] = torch.zeros(0, 3)
        sd['param'] = torch.nn.Parameter(torch.randn(2, 2))
        torch.save(sd, 'views.pth')
        torch.save(sd, 'views_p4.pth', pickle_protocol=4)
        st.save({k: v.detach().contiguous() for k, v in sd.items()}, 'views.safetensors')
        print(sd['transposed'].is_contiguous(), sd['sliced'].storage_offset())
        """;

    // A training checkpoint: weights under model, plus optimiser state, scalars and an EMA copy.
    internal const string Wrapped = """
        import argparse, collections, torch, st
        torch.manual_seed(1)
        model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LayerNorm(4))
        opt = torch.optim.AdamW(model.parameters())
        model(torch.randn(2, 3)).sum().backward(); opt.step()
        torch.save({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 7,
                    'args': {'lr': 1.5e-4, 'name': 'vit', 'flags': [True, None], 'size': (16, 224)},
                    'model_ema': model.state_dict()}, 'wrapped.pth')
        st.save(model.state_dict(), 'wrapped.safetensors')
        st.save({'state.0.exp_avg': opt.state_dict()['state'][0]['exp_avg']}, 'optim.safetensors')
        """;

    // Weights under the other wrapper keys.
    internal const string UnderModuleOrStateDict = """
        import torch
        w = torch.arange(6.).reshape(2, 3)
        torch.save({'module': {'blocks.0.w': w}, 'epoch': 1}, 'module.pth')
        torch.save({'state_dict': {'blocks.0.w': w}}, 'state_dict.pth')
        """;

    // A torch.save archive rewritten the way a big-endian machine would have written it.
    internal const string BigEndian = """
        import numpy as np, torch, zipfile, st
        torch.manual_seed(2)
        sd = {'a': torch.randn(3, 4), 'b': torch.randn(5)}
        torch.save(sd, 'little.pth')
        st.save(sd, 'big.safetensors')
        src = zipfile.ZipFile('little.pth')
        with zipfile.ZipFile('big.pth', 'w', zipfile.ZIP_STORED) as out:
            for name in src.namelist():
                data = src.read(name)
                if '/data/' in name:
                    data = np.frombuffer(data, dtype='<f4').astype('>f4').tobytes()
                if not name.endswith('/byteorder'):
                    out.writestr(name, data)
            out.writestr('little/byteorder', 'big')
        """;

    [Fact]
    public void Every_dtype_and_view_loads_with_pytorchs_exact_values()
    {
        TempDir dir = fx.Dir;
        Assert.Equal("False 8", fx.Output[0]);
        Dictionary<string, Tensor> expected = Expected(dir, "views.safetensors");
        try
        {
            foreach (string file in new[] { "views.pth", "views_p4.pth" })
            {
                using PthStateDict sd = PthReader.Load(dir.File(file));
                Assert.Equal(expected.Keys, sd.Tensors.Keys); // same names, same order
                foreach (var (name, e) in expected) AssertIdentical(e, sd.Tensors[name], $"{file}:{name}");
                Assert.Empty(sd.Skipped);
                Assert.Null(sd.UnwrappedFrom);
            }
        }
        finally { DisposeAll(expected.Values); }
    }

    [Fact]
    public void A_training_checkpoint_is_unwrapped_and_its_other_entries_are_reported()
    {
        TempDir dir = fx.Dir;
        Dictionary<string, Tensor> expected = Expected(dir, "wrapped.safetensors"), optim = Expected(dir, "optim.safetensors");
        try
        {
            using PthStateDict sd = PthReader.Load(dir.File("wrapped.pth"));
            Assert.Equal("model", sd.UnwrappedFrom);
            Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], sd.Tensors.Keys);
            foreach (var (name, e) in expected) AssertIdentical(e, sd.Tensors[name], name);
            Assert.Contains(sd.Skipped, s => s.StartsWith("epoch: int 7", StringComparison.Ordinal));
            Assert.Contains(sd.Skipped, s => s.StartsWith("optimizer: dict", StringComparison.Ordinal));
            Assert.Contains(sd.Skipped, s => s.StartsWith("model_ema: dict of 4 entries, 4 tensors", StringComparison.Ordinal));

            // Without unwrapping, every tensor of the file appears under its dotted path.
            using PthStateDict all = PthReader.Load(dir.File("wrapped.pth"), unwrap: false);
            AssertIdentical(optim["state.0.exp_avg"], all.Tensors["optimizer.state.0.exp_avg"], "optimizer.state.0.exp_avg");
            Assert.Contains("model_ema.1.bias", all.Tensors.Keys);
            Assert.Contains(all.Skipped, s => s.StartsWith("args: dict of 4 entries, 0 tensors", StringComparison.Ordinal));
        }
        finally { DisposeAll(expected.Values.Concat(optim.Values)); }
    }

    [Fact]
    public void Weights_under_module_or_state_dict_are_found()
    {
        TempDir dir = fx.Dir;
        foreach (string key in new[] { "module", "state_dict" })
        {
            using PthStateDict sd = PthReader.Load(dir.File(key + ".pth"));
            Assert.Equal(key, sd.UnwrappedFrom);
            Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, sd.Tensors["blocks.0.w"].ToArray<float>());
        }
    }

    [Fact]
    public void A_big_endian_archive_is_byte_swapped()
    {
        TempDir dir = fx.Dir;
        Dictionary<string, Tensor> expected = Expected(dir, "big.safetensors");
        try
        {
            using PthStateDict sd = PthReader.Load(dir.File("big.pth"));
            foreach (var (name, e) in expected) AssertIdentical(e, sd.Tensors[name], name);
        }
        finally { DisposeAll(expected.Values); }
    }
}
