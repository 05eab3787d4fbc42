using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>
/// Tiny videos made once per test run by explicit ffmpeg commands, so each test knows the
/// truth (size, rate, frame count) from the command that made the file, not from our probe.
/// </summary>
public sealed class VideoTestFiles : IDisposable
{
    public const int W = 64, H = 48, Fps = 25, Frames = 50;   // 2 s
    public const int LongFrames = 150;                         // 6 s
    public const int VfrFrames = 60;
    public const int OddW = 161, OddH = 97, OddFrames = 25;

    private readonly TempDir _dir = new("cvmae-video");
    public string Dir => _dir.Path;

    public string Mp4 => _dir.File("cfr.mp4");
    public string Webm => _dir.File("cfr.webm");
    public string Avi => _dir.File("cfr.avi");
    public string Ntsc => _dir.File("ntsc.mp4");
    public string Long => _dir.File("long.mp4");
    public string Offset => _dir.File("offset.mp4");
    public string Vfr => _dir.File("vfr.mp4");
    public string Rotated => _dir.File("rotated.mp4");
    public string Odd => _dir.File("odd.webm");
    public string AudioOnly => _dir.File("audio.mp4");
    public string TruncatedFastStart => _dir.File("truncated_faststart.mp4");
    public string TruncatedMoov => _dir.File("truncated_moov.mp4");
    public string Text => _dir.File("text.mp4");
    public string Empty => _dir.File("empty.mp4");
    public string StillImage => _dir.File("still.mp4");

    public VideoTestFiles()
    {
        string src = $"testsrc2=size={W}x{H}:rate={Fps}";
        Ffmpeg("-f", "lavfi", "-i", src + ":duration=2", "-c:v", "libx264", "-g", "10", "-pix_fmt", "yuv420p", Mp4);
        Ffmpeg("-f", "lavfi", "-i", src + ":duration=2", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", Webm);
        Ffmpeg("-f", "lavfi", "-i", src + ":duration=2", "-c:v", "mpeg4", Avi);
        Ffmpeg("-f", "lavfi", "-i", $"testsrc2=size={W}x{H}:rate=30000/1001:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", Ntsc);
        Ffmpeg("-f", "lavfi", "-i", src + ":duration=6", "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", "-movflags", "+faststart", Long);
        Ffmpeg("-f", "lavfi", "-i", src + ":duration=6", "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", "-output_ts_offset", "10", Offset);
        // 20 frames 1/30 s apart, then 40 frames 3/30 s apart.
        Ffmpeg("-f", "lavfi", "-i", $"testsrc2=size={W}x{H}:rate=30:duration=2", "-vf", "setpts='if(lt(N,20),N,20+(N-20)*3)/30/TB'",
               "-fps_mode", "passthrough", "-c:v", "libx264", "-pix_fmt", "yuv420p", Vfr);
        Ffmpeg("-i", Mp4, "-c", "copy", "-metadata:s:v:0", "rotate=90", Rotated);
        Ffmpeg("-f", "lavfi", "-i", $"testsrc2=size=160x96:rate={Fps}:duration=1", "-vf", $"scale={OddW}:{OddH}",
               "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", Odd);
        Ffmpeg("-f", "lavfi", "-i", "sine=duration=1", AudioOnly);
        Ffmpeg("-f", "lavfi", "-i", src + ":duration=1", "-frames:v", "1", "-f", "image2", "-c:v", "mjpeg", StillImage);

        byte[] longBytes = File.ReadAllBytes(Long);
        File.WriteAllBytes(TruncatedFastStart, longBytes[..(longBytes.Length * 4 / 10)]);
        byte[] mp4Bytes = File.ReadAllBytes(Mp4);
        File.WriteAllBytes(TruncatedMoov, mp4Bytes[..(mp4Bytes.Length / 2)]);
        File.WriteAllText(Text, "this is a text file, not a video\n");
        File.WriteAllBytes(Empty, []);
    }

    public static void Ffmpeg(params string[] args)
        => ProcessRunner.Run("ffmpeg", ["-nostdin", "-v", "error", "-y", .. args]);

    /// <summary>ffmpeg's own decode of every frame (no selection, no dropping) as RGB24, optionally scaled.</summary>
    public static byte[][] DecodeAllWithFfmpeg(string path, int width, int height, string? scale = null)
    {
        var args = new List<string> { "-nostdin", "-v", "error", "-i", path };
        if (scale is not null) args.AddRange(["-vf", scale]);
        args.AddRange(["-fps_mode", "passthrough", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"]);
        byte[] all = RunBytes("ffmpeg", args);
        int size = width * height * 3;
        Assert.Equal(0, all.Length % size);
        return Enumerable.Range(0, all.Length / size).Select(i => all[(i * size)..((i + 1) * size)]).ToArray();
    }

    public static byte[] RunBytes(string program, IEnumerable<string> args) => ProcessRunner.RunBytes(program, args);

    public static double MeanAbsDiff(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        long sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return (double)sum / a.Length;
    }

    /// <summary>A fake tool: a shell script standing in for ffmpeg/ffprobe, to test kill and signal handling.</summary>
    public string FakeTool(string name, string body)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public void Dispose() => _dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class VideoCollection : ICollectionFixture<VideoTestFiles>
{
    public const string Name = "videos";
}
