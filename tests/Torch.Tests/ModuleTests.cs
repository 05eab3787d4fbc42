using System.Text.Json;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch.IO;
using CrossVideoMAE.Torch.NN;
using Xunit;
using static CrossVideoMAE.Torch.torch;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>Module naming, state dicts and in-place conversion.</summary>
public class ModuleTests
{
    // A small ViT-like tree: the same structure is written in PyTorch below.
    private sealed class Attention : Module
    {
        public readonly Linear qkv, proj;
        public Attention(long d) { qkv = register_module("qkv", new Linear(d, 3 * d)); proj = register_module("proj", new Linear(d, d)); }
    }

    private sealed class Mlp : Module
    {
        public readonly Linear fc1, fc2;
        public Mlp(long d) { fc1 = register_module("fc1", new Linear(d, 2 * d)); fc2 = register_module("fc2", new Linear(2 * d, d)); }
    }

    private sealed class Block : Module
    {
        public Block(long d)
        {
            register_module("norm1", new LayerNorm(d));
            register_module("attn", new Attention(d));
            register_module("norm2", new LayerNorm(d));
            register_module("mlp", new Mlp(d));
        }
    }

    private sealed class Net : Module
    {
        public Net(long d = 8, int depth = 2)
        {
            register_module("patch_embed", new Conv3d(3, d, [2, 4, 4], [2, 4, 4]));
            register_buffer("pos_embed", zeros([1, 5, d]));
            register_buffer("attn_cache", zeros([3]), persistent: false);
            register_module("blocks", new ModuleList<Block>(Enumerable.Range(0, depth).Select(_ => new Block(d))));
            register_module("norm", new LayerNorm(d));
            register_module("head", new Linear(d, 4, hasBias: false));
        }
    }

    private const string PythonNet = """
        class Attention(torch.nn.Module):
            def __init__(self, d):
                super().__init__()
                self.qkv, self.proj = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)

        class Mlp(torch.nn.Module):
            def __init__(self, d):
                super().__init__()
                self.fc1, self.fc2 = torch.nn.Linear(d, 2 * d), torch.nn.Linear(2 * d, d)

        class Block(torch.nn.Module):
            def __init__(self, d):
                super().__init__()
                self.norm1, self.attn = torch.nn.LayerNorm(d), Attention(d)
                self.norm2, self.mlp = torch.nn.LayerNorm(d), Mlp(d)

        class Net(torch.nn.Module):
            def __init__(self, d=8, depth=2):
                super().__init__()
                self.patch_embed = torch.nn.Conv3d(3, d, (2, 4, 4), (2, 4, 4))
                self.register_buffer("pos_embed", torch.zeros(1, 5, d))
                self.register_buffer("attn_cache", torch.zeros(3), persistent=False)
                self.blocks = torch.nn.ModuleList([Block(d) for _ in range(depth)])
                self.norm, self.head = torch.nn.LayerNorm(d), torch.nn.Linear(d, 4, bias=False)

        """;

    [Fact]
    public void State_dict_names_and_shapes_match_pytorch_and_load_there_strictly()
    {
        using var dir = new TempDir();
        using var net = new Net();
        Dictionary<string, Tensor> sd = net.state_dict();
        string path = dir.File("net.safetensors");
        SafeTensors.Save(path, sd);

        // PyTorch's names in PyTorch's order, and its strict load of our file.
        using TensorSet _ = PyTorch.Run(PythonNet + $$"""
            net = Net()
            print(json.dumps([[k, list(v.shape)] for k, v in net.state_dict().items()]))
            missing, unexpected = net.load_state_dict(st.load({{JsonSerializer.Serialize(path)}}), strict=True)
            assert not missing and not unexpected
            """, null, out string stdout);

        var expected = JsonSerializer.Deserialize<List<JsonElement>>(stdout.Trim())!;
        Assert.Equal(expected.Select(e => e[0].GetString()!), sd.Keys);
        for (int i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i][1].EnumerateArray().Select(x => x.GetInt64()), sd.ElementAt(i).Value.shape);
        Assert.Contains("blocks.1.attn.qkv.weight", sd.Keys);
        Assert.DoesNotContain("attn_cache", sd.Keys);
        Assert.Equal(sd.Count - 1, net.parameters().Count());    // every entry but pos_embed is a parameter
    }

    [Fact]
    public void Strict_load_state_dict_names_the_missing_and_unexpected_keys()
    {
        using var scope = NewDisposeScope();
        using var net = new Net(depth: 1);
        using var source = new Net(depth: 1);
        var sd = source.state_dict();
        sd.Remove("head.weight");
        sd.Remove("blocks.0.norm1.bias");
        sd["blocks.0.attn.q_bias"] = zeros(8);

        var e = Assert.Throws<InvalidDataException>(() => net.load_state_dict(sd));
        Assert.Contains("missing [blocks.0.norm1.bias, head.weight]", e.Message);
        Assert.Contains("unexpected [blocks.0.attn.q_bias]", e.Message);

        var (missing, unexpected) = net.load_state_dict(sd, strict: false);
        Assert.Equal(new[] { "blocks.0.norm1.bias", "head.weight" }, missing);
        Assert.Equal(new[] { "blocks.0.attn.q_bias" }, unexpected);
        Tensor loaded = net.state_dict()["blocks.0.attn.qkv.weight"];
        Close.Exact(sd["blocks.0.attn.qkv.weight"], loaded, "a matching key is copied");

        using var small = new Net(d: 4, depth: 1);
        var wrongShape = small.state_dict();
        using Tensor qkvBefore = loaded.detach().clone();
        var e2 = Assert.Throws<InvalidDataException>(() => net.load_state_dict(wrongShape));
        Assert.Contains("'pos_embed': checkpoint shape [1, 5, 4], model shape [1, 5, 8]", e2.Message);
        Assert.Contains("'patch_embed.weight': checkpoint shape [4, 3, 2, 4, 4], model shape [8, 3, 2, 4, 4]", e2.Message);
        Close.Exact(qkvBefore, loaded, "a refused load leaves the model as it was");
    }

    [Fact]
    public void To_dtype_converts_in_place_keeping_every_parameter_object()
    {
        using var scope = NewDisposeScope();
        using var net = new Net(depth: 1);
        var before = net.named_parameters().ToList();
        Tensor weightBefore = before[0].parameter.detach().clone();
        Tensor posBefore = net.state_dict()["pos_embed"];

        net.to(float64);

        var after = net.named_parameters().ToList();
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Same(before[i].parameter, after[i].parameter);
            Assert.Equal(ScalarType.Float64, after[i].parameter.dtype);
            Assert.True(after[i].parameter.requires_grad);
            Assert.True(after[i].parameter.is_leaf);
        }
        Assert.Same(posBefore, net.state_dict()["pos_embed"]);
        Assert.Equal(ScalarType.Float64, posBefore.dtype);
        Close.Assert(weightBefore, before[0].parameter, "values survive the conversion", atol: 0, rtol: 0);

        // A parameter converted in place still trains: gradients reach the same object.
        Parameter w = after[0].parameter;
        (w * w).sum().backward();
        Assert.Equal(ScalarType.Float64, w.grad!.dtype);

        net.to(Device.CPU);          // already there: nothing changes, the gradient stays
        Assert.NotNull(w.grad);
    }
}
