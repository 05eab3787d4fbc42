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
    public void Report_draws_each_loss_group_in_its_own_panel_and_lists_the_results()
    {
        ReportContent content = ReportTestContent.Write(dir);
        string html = HtmlReport.Render(content);
        var svgs = Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline).Select(m => m.Value).ToList();
        string Panel(string title) => svgs.Single(s => s.Contains($"aria-label=\"{title}\"", StringComparison.Ordinal));
        // Raw and smoothed line per term; the parts of a term share its panel.
        Assert.Equal(2, Regex.Matches(Panel("total loss"), "<polyline").Count);
        Assert.Equal(6, Regex.Matches(Panel("intra-modal contrastive"), "<polyline").Count);
        foreach (string term in new[] { "intra", "intra_video", "intra_frame" }) Assert.Contains($">{term}</text>", Panel("intra-modal contrastive"));
        foreach (string term in new[] { "cross", "cross_video", "cross_frame" }) Assert.Contains($">{term}</text>", Panel("cross-modal contrastive"));
        foreach (string term in new[] { "rl", "rl_view1", "rl_view2" }) Assert.Contains($">{term}</text>", Panel("reconstruction"));
        Assert.Contains(">extra</text>", Panel("other losses"));                      // an unknown loss key is not dropped
        Assert.Contains("(log y axis)", Panel("cross-modal contrastive"));              // 12 .. 0.38: over 30x
        Assert.DoesNotContain("(log y axis)", Panel("reconstruction"));
        foreach (string title in new[] { "decoder MSE", "learning rate", "gradient norm", "throughput (clips/s)", "feed wait (ms per step)" }) Panel(title);
        // Run card: config, dataset, splits, throughput from the metrics.
        Assert.Contains("tiny, 8 x 64 x 64 clips", html);
        Assert.Contains("off: cross", html);
        Assert.Contains("dataset sample", html);
        Assert.Contains("train 18 clips, val 6 clips", html);
        Assert.Contains("30 steps, 3 epochs", html);
        // Evaluation tables and heatmaps.
        Assert.Contains("<td class=\"l\">probe A</td><td>all</td><td><b>60.0%</b></td><td class=\"l\">50%, 70%</td>", html);
        Assert.Contains("<td>50.0%</td><td>75.0%</td><td>100.0%</td>", html);
        Assert.Contains("<b>66.0%</b>", html);
        Assert.Single(svgs, s => s.Contains("aria-label=\"probe A\"") && s.Contains("true class"));
        Assert.Single(svgs, s => s.Contains("aria-label=\"eval A\"") && s.Contains("true class"));
        // Embedding maps, one dot per video; the figure inline with its row labels.
        Assert.Equal(9, Regex.Matches(svgs.Single(s => s.Contains("aria-label=\"encoder A\"")), "<circle cx=\"[0-9.]+\" cy=\"[0-9.]+\" r=\"3.5\"").Count);
        Assert.Contains("<img src=\"data:image/png;base64,", html);
        Assert.Contains("alt=\"video_1 clip 0 (up) &lt;mask ratio 0.75&gt;\"", html);
        foreach (string row in new[] { "original", "masked input", "reconstruction", "attention" }) Assert.Contains($"<span>{row}</span>", html);
    }

    [Fact]
    public void Results_are_found_in_folders_and_a_bad_result_file_names_itself()
    {
        Directory.CreateDirectory(dir.File("out/rand"));
        File.WriteAllText(dir.File("out/rand/linprobe.json"), """{"RandomInit":true,"Top1":0.25,"Top5":1.0}""");
        File.WriteAllText(dir.File("out/retrieval.json"), """{"Recall":{"R@1":0.5}}""");
        var found = HtmlReport.FindResults([dir.File("out")]);
        Assert.Equal(2, found.Count);
        Assert.Equal(ResultKind.Linprobe, ResultFile.KindOf(found.Single(f => f.EndsWith("linprobe.json", StringComparison.Ordinal))));
        ResultFile named = ResultFile.Parse(ResultKind.Linprobe, "random=" + dir.File("out/rand/linprobe.json"));
        Assert.Equal("random", named.Name);
        Assert.Equal("rand", ResultFile.Parse(ResultKind.Linprobe, dir.File("out/rand/linprobe.json")).Name);
        Assert.Throws<FileNotFoundException>(() => ResultFile.Parse(ResultKind.Eval, dir.File("missing.json")));

        File.WriteAllText(dir.File("out/bad.json"), "{ not json");
        var e = Assert.Throws<InvalidDataException>(() => EvaluationResults.Render([new ResultFile(ResultKind.Linprobe, "bad", dir.File("out/bad.json"))]));
        Assert.Contains("bad.json", e.Message);
        File.WriteAllText(dir.File("out/nonumber.json"), """{"Top5":1.0}""");
        e = Assert.Throws<InvalidDataException>(() => EvaluationResults.Render([new ResultFile(ResultKind.Linprobe, "x", dir.File("out/nonumber.json"))]));
        Assert.Contains("Top1", e.Message);
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
