using System.Text.Json;
using System.Text.RegularExpressions;
using CrossVideoMAE.Pipeline.Report;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>The report as a browser sees it: Chromium loads it with a probe script that records errors, resource
/// requests and every figure's box into the DOM, which <c>--dump-dom</c> prints.</summary>
public sealed class ReportBrowserTests : IDisposable
{
    private readonly TempDir dir = new("cvmae-report-browser");

    public void Dispose() => dir.Dispose();

    // Runs before anything else in <head>: collects errors (script and resource), console errors, and on load
    // the box of each figure, chart and image into <pre id="probe">.
    private const string Probe = """
<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || (e.target && (e.target.src || e.target.href)) || 'error')), true);
const __consoleError = console.error;
console.error = (...a) => { window.__errors.push(a.map(String).join(' ')); __consoleError(...a); };
window.addEventListener('load', () => {
  const boxes = [...document.querySelectorAll('figure, svg, img')].map(el => {
    const r = el.getBoundingClientRect();
    return { tag: el.tagName.toLowerCase(), label: el.getAttribute('aria-label') || el.getAttribute('alt') || '', w: r.width, h: r.height,
             decoded: el.tagName !== 'IMG' || (el.complete && el.naturalWidth > 0) };
  });
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify({ errors: window.__errors, boxes, resources: performance.getEntriesByType('resource').map(e => e.name) });
  document.body.appendChild(pre);
});
</script>
""";

    [Fact]
    public void Report_loads_in_chromium_without_errors_and_every_figure_has_a_size()
    {
        string html = HtmlReport.Render(ReportTestContent.Write(dir));
        Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:|//|file:)", RegexOptions.IgnoreCase), html);      // self-contained
        Assert.DoesNotContain("<script", html);
        string probed = dir.File("probed.html");
        File.WriteAllText(probed, html.Replace("<head>", "<head>" + Probe, StringComparison.Ordinal));

        var (code, stdout, stderr) = HeadlessChromium.Run(dir.Path, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
            "--window-size=1400,3000", "--dump-dom", new Uri(probed).AbsoluteUri);
        Assert.True(code == 0, $"chromium exited {code}: {stderr}");
        Match m = Regex.Match(stdout, "<pre id=\"probe\">(.*?)</pre>", RegexOptions.Singleline);
        Assert.True(m.Success, "the probe did not run (no load event?): " + stderr);
        using JsonDocument doc = JsonDocument.Parse(System.Net.WebUtility.HtmlDecode(m.Groups[1].Value));
        JsonElement probe = doc.RootElement;

        Assert.Empty(probe.GetProperty("errors").EnumerateArray());
        // With --enable-logging=stderr every console message (console.error, uncaught exceptions) is an INFO:CONSOLE line;
        // the report has no scripts and the probe logs nothing, so there must be none.
        Assert.DoesNotContain(":CONSOLE", stderr, StringComparison.Ordinal);
        Assert.All(probe.GetProperty("resources").EnumerateArray(), r => Assert.StartsWith("data:", r.GetString()));

        var boxes = probe.GetProperty("boxes").EnumerateArray().ToList();
        // 9 metric panels + 1 other-loss panel, 2 confusion matrices, 2 embedding maps, 1 figure image.
        Assert.Equal(10 + 2 + 2, boxes.Count(b => b.GetProperty("tag").GetString() == "svg"));
        Assert.Single(boxes, b => b.GetProperty("tag").GetString() == "img");
        Assert.Equal(10 + 2 + 2 + 1, boxes.Count(b => b.GetProperty("tag").GetString() == "figure"));
        foreach (JsonElement b in boxes)
        {
            string what = $"{b.GetProperty("tag").GetString()} '{b.GetProperty("label").GetString()}'";
            Assert.True(b.GetProperty("w").GetDouble() > 50 && b.GetProperty("h").GetDouble() > 50, $"{what} is {b.GetProperty("w")} x {b.GetProperty("h")}");
            Assert.True(b.GetProperty("decoded").GetBoolean(), $"{what} did not decode");
        }
        // The figure is drawn at a size one can see: a 16-pixel tile is scaled to 112 px.
        JsonElement img = boxes.Single(b => b.GetProperty("tag").GetString() == "img");
        Assert.Equal(112.0 * (4 * 16 + 5 * 2) / 16, img.GetProperty("h").GetDouble(), 1.0);
    }
}
