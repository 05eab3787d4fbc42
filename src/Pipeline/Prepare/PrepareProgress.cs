using System.Diagnostics;
using CrossVideoMAE.Stages.Clips;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>Counters of a prepare run, shown as a progress bar (interactive console), as a log
/// line every few seconds (redirected output), or not at all (--quiet).</summary>
public sealed class PrepareProgress(int totalInputs, int alreadyDone)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private int videos, clips, quarantined;

    public int TotalInputs { get; } = totalInputs;
    public int AlreadyDone { get; } = alreadyDone;
    public int Videos => videos;
    public int Clips => clips;
    public int Quarantined => quarantined;
    public TimeSpan Elapsed => clock.Elapsed;

    public void Add(VideoOutcome o)
    {
        Interlocked.Increment(ref videos);
        Interlocked.Add(ref clips, o.Rows.Count);
        if (o.Quarantined is not null) Interlocked.Increment(ref quarantined);
    }

    public double VideosPerSecond => videos / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
    public double ClipsPerSecond => clips / Math.Max(1e-9, clock.Elapsed.TotalSeconds);

    public string Describe()
    {
        int left = TotalInputs - AlreadyDone - videos;
        string eta = VideosPerSecond > 0 ? TimeSpan.FromSeconds(left / VideosPerSecond).ToString(@"hh\:mm\:ss") : "--:--:--";
        return $"{AlreadyDone + videos}/{TotalInputs} videos, {VideosPerSecond:F2} videos/s, {ClipsPerSecond:F2} clips/s, {quarantined} quarantined, ETA {eta}";
    }
}
