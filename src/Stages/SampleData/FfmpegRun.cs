using CrossVideoMAE.Stages.Video;

namespace CrossVideoMAE.Stages.SampleData;

/// <summary>Runs ffmpeg to write a file and fails with its stderr when it does not succeed.</summary>
internal static class FfmpegRun
{
    public static async Task RunAsync(string ffmpeg, IEnumerable<string> args, CancellationToken ct, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromMinutes(5);
        using var tool = ToolProcess.Start(ffmpeg, ["-nostdin", "-hide_banner", "-v", "error", "-y", .. args], limit, ct);
        await tool.Stdout.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
        int exit = await tool.WaitForExitAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (tool.TimedOut) throw new TimeoutException($"ffmpeg did not finish within {limit.TotalSeconds:0} s: {string.Join(' ', args)}");
        if (exit != 0) throw new InvalidOperationException($"ffmpeg failed (exit code {exit}) for: {string.Join(' ', args)}{Environment.NewLine}{tool.StderrTail}");
    }

    /// <summary>The encoder names this ffmpeg has (from <c>ffmpeg -encoders</c>).</summary>
    public static async Task<HashSet<string>> EncodersAsync(string ffmpeg, CancellationToken ct)
    {
        using var tool = ToolProcess.Start(ffmpeg, ["-hide_banner", "-encoders"], TimeSpan.FromSeconds(30), ct);
        using var reader = new StreamReader(tool.Stdout);
        string text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        await tool.WaitForExitAsync().ConfigureAwait(false);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 2 && f[0].Length == 6 && f[0][0] is 'V' or 'A' or 'S') names.Add(f[1]);
        }
        return names;
    }
}
