using CrossVideoMAE.Model;
using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using Xunit;
using CvMae = CrossVideoMAE.Model.CrossVideoMAE;

namespace CrossVideoMAE.Pipeline.Tests;

public sealed class DownstreamVisualizeTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-visualize");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Last_block_attention_matches_pytorch()
    {
        using var model = new CvMae(ModelConfigs.Tiny.WithInput(4, 32) with { VideoMaskRatio = 0.5, ImageMaskRatio = 0.5 }, seed: 3);
        using var g = new Generator(5);
        using Tensor video = torch.randn([2, 3, 4, 32, 32], g);
        using Tensor attention = LastBlockAttention.Weights(model.video_encoder, video);     // [2, 8, 8]
        var tensors = model.video_encoder.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        tensors["input"] = video;
        SafeTensors.Save(dir.File("in.safetensors"), tensors);
        // Independent reference: the same encoder written directly in PyTorch from the weights.
        const string script = """
import torch, torch.nn.functional as F, st
w = st.load('in.safetensors'); x = w['input']
D, H, eps = 192, 3, 1e-6
t = F.conv3d(x, w['patch_embed.proj.weight'], w['patch_embed.proj.bias'], stride=(2, 16, 16)).flatten(2).transpose(1, 2)
t = t + w['pos_embed']
def attn_weights(i, h):
    qkv = F.linear(h, w[f'blocks.{i}.attn.qkv.weight'], w[f'blocks.{i}.attn.qkv.bias'])
    B, N, _ = qkv.shape
    q, k, v = qkv.reshape(B, N, 3, H, D // H).permute(2, 0, 3, 1, 4)
    return (q @ k.transpose(-2, -1) / (D // H) ** 0.5).softmax(-1), v
for i in range(3):
    h = F.layer_norm(t, (D,), w[f'blocks.{i}.norm1.weight'], w[f'blocks.{i}.norm1.bias'], eps)
    a, v = attn_weights(i, h)
    o = (a @ v).transpose(1, 2).reshape(t.shape)
    t = t + F.linear(o, w[f'blocks.{i}.attn.proj.weight'], w[f'blocks.{i}.attn.proj.bias'])
    h = F.layer_norm(t, (D,), w[f'blocks.{i}.norm2.weight'], w[f'blocks.{i}.norm2.bias'], eps)
    h = F.linear(F.gelu(F.linear(h, w[f'blocks.{i}.mlp.fc1.weight'], w[f'blocks.{i}.mlp.fc1.bias'])), w[f'blocks.{i}.mlp.fc2.weight'], w[f'blocks.{i}.mlp.fc2.bias'])
    t = t + h
h = F.layer_norm(t, (D,), w['blocks.3.norm1.weight'], w['blocks.3.norm1.bias'], eps)
a, _ = attn_weights(3, h)
st.save({'attention': a.mean(1).contiguous()}, 'out.safetensors')
""";
        PyTorchReference.Run(script, dir.Path);
        var (expected, _) = SafeTensors.Load(dir.File("out.safetensors"));
        using Tensor diff = (attention - expected["attention"]).abs().max();
        Assert.True(diff.item() < 1e-5, $"max difference {diff.item()}");
        foreach (Tensor t in expected.Values) t.Dispose();
    }

    [Fact]
    public async Task Visualize_writes_decodable_figures_and_a_report()
    {
        string index = await DownstreamTestData.WriteAsync(dir.Path, DownstreamTestData.ColourVideos(train: 1, val: 1));
        string weights = dir.File("model.safetensors");
        using (var model = new CvMae(ModelConfigs.Tiny.WithInput(4, 32) with { VideoMaskRatio = 0.5, ImageMaskRatio = 0.5 }, seed: 1))
            SafeTensors.Save(weights, model.state_dict());
        string metrics = dir.File("metrics.jsonl");
        File.WriteAllLines(metrics, ["""{"step":0,"loss":2.0,"loss_rl":1.0}""", """{"step":1,"loss":1.5,"loss_rl":0.8}"""]);
        string outDir = dir.File("viz");
        int rc = Program.Main(["visualize", "--manifest", index, "--weights", weights, "--metrics", metrics, "--out", outDir,
            "--clips", "2", "--mask-ratio", "0.5", "--threads", "1"]);
        Assert.Equal(0, rc);
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("<svg", html);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "<img src=\"data:image/png;base64,").Count);   // the figures, inline
        Assert.True(File.Exists(Path.Combine(outDir, "figure-01.png")));
        Assert.False(File.Exists(Path.Combine(outDir, "figure-02.png")));

        var d = ReportTests.DecodeWithPython(Path.Combine(outDir, "figure-00.png"), dir.Path);
        int w = d.GetProperty("w").GetInt32(), h = d.GetProperty("h").GetInt32();
        Assert.Equal(2 * 32 + 3 * 2, w);        // 2 tubelets of 32 px, 3 gaps
        Assert.Equal(4 * 32 + 5 * 2, h);        // 4 rows, 5 gaps
        byte[] px = d.GetProperty("pixels").EnumerateArray().Select(p => (byte)p.GetInt32()).ToArray();
        // The first val video is red_01; its original frames (row 0) keep its flat colour, the gaps are white.
        SyntheticVideo red = DownstreamTestData.ColourVideos(1, 1).Single(v => v.Id == "red_01");
        int o = ((2 + 10) * w + (2 + 10)) * 3;
        Assert.InRange(px[o], red.Colour.r - 6, red.Colour.r + 6);
        Assert.InRange(px[o + 1], red.Colour.g - 6, red.Colour.g + 6);
        Assert.InRange(px[o + 2], red.Colour.b - 6, red.Colour.b + 6);
        Assert.Equal(new byte[] { 255, 255, 255 }, px[..3]);

        // Missing weights are bad input (exit 2).
        Assert.Equal(2, Program.Main(["visualize", "--manifest", index, "--weights", Path.Combine(outDir, "..", "missing.safetensors"), "--out", outDir]));
    }
}
