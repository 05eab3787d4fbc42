namespace CrossVideoMAE.Stages.SampleData;

/// <summary>
/// One generated video and the truth about it (what ffmpeg was told to write). <see cref="VideoId"/>
/// is the file stem, <c>&lt;youtube-like id&gt;_&lt;start:06&gt;_&lt;end:06&gt;</c>, shared by the Kinetics,
/// UCF101, HMDB51 and folder manifests; <see cref="Ssv2Id"/> is its numeric Something-Something id.
/// <see cref="Background"/> is the lavfi source of the background (deterministic: rendering it again
/// gives the same frames), <see cref="BoxColor"/> the moving box's colour.
/// </summary>
public sealed record SampleVideo(
    string VideoId,
    string Ssv2Id,
    string ClassName,
    int Label,
    string Split,
    string RelativePath,
    string Container,
    string Codec,
    int Width,
    int Height,
    int Fps,
    int FrameCount,
    string Background,
    string BoxColor)
{
    public double DurationSeconds => (double)FrameCount / Fps;
}
