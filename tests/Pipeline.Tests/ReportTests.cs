using System.Text.Json;
using System.Text.RegularExpressions;
using CrossVideoMAE.Pipeline.Report;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

public sealed class ReportTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-report");

    public void Dispose() => dir.Dispose();

    /// <summary>Decodes a PNG with Python's zlib and struct (chunk CRCs checked with zlib.crc32), filter 0 rows only; prints JSON.</summary>
    internal static JsonElement DecodeWithPython(string png, string workDir)
    {
        const string script = """
import json, struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'signature'
pos, chunks, idat = 8, [], b''
while pos < len(data):
    (n,) = struct.unpack('>I', data[pos:pos+4]); kind = data[pos+4:pos+8]; body = data[pos+8:pos+8+n]
    (crc,) = struct.unpack('>I', data[pos+8+n:pos+12+n])
    assert crc == zlib.crc32(kind + body) & 0xffffffff, 'crc of ' + kind.decode()
    chunks.append(kind.decode()); pos += 12 + n
    if kind == b'IHDR': w, h, depth, ctype, comp, filt, inter = struct.unpack('>IIBBBBB', body)
    if kind == b'IDAT': idat += body
raw = zlib.decompress(idat)
stride = w * 3
assert len(raw) == h * (stride + 1), 'size'
pixels = []
for y in range(h):
    assert raw[y * (stride + 1)] == 0, 'filter'
    pixels.extend(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
print(json.dumps({'w': w, 'h': h, 'depth': depth, 'ctype': ctype, 'chunks': chunks, 'pixels': pixels}))
""";
        string path = Path.Combine(workDir, "decode_png.py");
        File.WriteAllText(path, script);
        string stdout = ProcessRunner.Run(PyTorchReference.Python, [path, png], workDir: workDir);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    [Fact]
    public void Png_round_trips_through_an_independent_decoder()
    {
        int w = 5, h = 3;
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 37 % 256);
        string png = dir.File("x.png");
        PngWriter.Write(png, rgb, w, h);
        JsonElement d = DecodeWithPython(png, dir.Path);
        Assert.Equal(w, d.GetProperty("w").GetInt32());
        Assert.Equal(h, d.GetProperty("h").GetInt32());
        Assert.Equal(8, d.GetProperty("depth").GetInt32());
        Assert.Equal(2, d.GetProperty("ctype").GetInt32());
        Assert.Equal(new[] { "IHDR", "IDAT", "IEND" }, d.GetProperty("chunks").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(rgb, d.GetProperty("pixels").EnumerateArray().Select(p => (byte)p.GetInt32()).ToArray());
        Assert.Throws<ArgumentException>(() => PngWriter.Encode(rgb.AsSpan(1), w, h));
    }

    [Fact]
    public void Report_has_one_polyline_per_loss_term_and_lists_the_results_found()
    {
        string metrics = dir.File("run/metrics.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(metrics)!);
        File.WriteAllLines(metrics,
        [
            """{"step":0,"loss":3.0,"loss_intra":1.0,"loss_cross":1.5,"loss_rl":0.5,"lr":0.0001,"epoch":0}""",
            """{"step":1,"loss":2.5,"loss_intra":0.9,"loss_cross":1.2,"loss_rl":0.4,"lr":0.0002,"epoch":0}""",
            """{"step":2,"loss":2.0,"loss_intra":0.8,"loss_cross":0.9,"loss_rl":0.3,"lr":0.0003,"epoch":0}""",
        ]);
        File.WriteAllText(dir.File("run/linprobe.json"), """{"RandomInit":false,"Weights":"w.safetensors","Top1":0.75,"Top5":1.0}""");
        Directory.CreateDirectory(dir.File("out/rand"));
        File.WriteAllText(dir.File("out/rand/linprobe.json"), """{"RandomInit":true,"Top1":0.25,"Top5":1.0}""");
        File.WriteAllText(dir.File("out/retrieval.json"), """{"Weights":"w.safetensors","Recall":{"R@1":0.5,"R@5":0.75,"R@10":1.0}}""");

        var results = HtmlReport.FindResults([dir.File("out"), dir.File("run")]);
        Assert.Equal(3, results.Count);
        string html = HtmlReport.Render("t", metrics, [("figure-00.png", "clip <0>")], results, dir.File("out"));

        var svgs = Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline).Select(m => m.Value).ToList();
        Assert.Equal(2, svgs.Count);                                            // losses, learning rate
        Assert.Equal(4, Regex.Matches(svgs[0], "<polyline").Count);             // loss, loss_cross, loss_intra, loss_rl
        Assert.Single(Regex.Matches(svgs[1], "<polyline"));
        foreach (string term in new[] { "loss_intra", "loss_cross", "loss_rl" }) Assert.Contains($">{term}</text>", svgs[0]);
        Assert.Contains("<img src=\"figure-00.png\" alt=\"clip &lt;0&gt;\">", html);
        Assert.Contains("75.0%", html);
        Assert.Contains("25.0%", html);
        Assert.Contains("random init", html);
        Assert.Contains("<td>50.0%</td><td>75.0%</td><td>100.0%</td>", html);
    }

    [Fact]
    public void Jet_colour_map_ends_and_pixel_unnormalisation()
    {
        Assert.Equal((0, 0, 128), FigureImage.Jet(0));   // 1.5 - |0 - 1| = 0.5 blue
        Assert.Equal((128, 0, 0), FigureImage.Jet(1));   // 1.5 - |4 - 3| = 0.5 red
        Assert.Equal(255, FigureImage.Pixel((float)((1 - 0.485) / 0.229), 0.485, 0.229));
        Assert.Equal(0, FigureImage.Pixel(-5f, 0.485, 0.229));
    }
}
