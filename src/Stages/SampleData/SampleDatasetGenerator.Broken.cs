using CrossVideoMAE.Stages.Video;

namespace CrossVideoMAE.Stages.SampleData;

public sealed partial class SampleDatasetGenerator
{
    /// <summary>
    /// Writes the broken-input set into <paramref name="dir"/> and returns each file with its expected
    /// outcome (see <see cref="BrokenInput"/>):
    /// <list type="table">
    /// <item><term>zero_byte.mp4</term><description>probe fails: EmptyFile</description></item>
    /// <item><term>not_a_video.mp4</term><description>a text file: probe fails, NotAVideo</description></item>
    /// <item><term>missing.mp4</term><description>not written at all: probe fails, FileMissing</description></item>
    /// <item><term>audio_only.mp4</term><description>a sine tone: probe fails, NoVideoStream</description></item>
    /// <item><term>truncated_index.mp4</term><description>mp4 with its index at the end, cut in half: probe fails, Truncated</description></item>
    /// <item><term>truncated_data.mp4</term><description>"fast start" mp4 (index first) cut to 40%: probe succeeds from the
    /// intact index (75 frames), decoding a clip (which always needs a frame past 60) fails, Truncated; prepare counts the
    /// frames that decode (about 25) and gives a padded clip of them</description></item>
    /// <item><term>too_short.mp4</term><description>20 frames, fewer than a clip spans (61): goes through, clip Padded</description></item>
    /// <item><term>odd_size.webm</term><description>161x97 VP9, 75 frames: goes through, decoded at 424x256</description></item>
    /// <item><term>rotated.mp4</term><description>160x120 stored with a 90-degree display matrix: goes through, shown and
    /// decoded upright at 120x160 (rotation 270 clockwise as ffprobe 5.1 reports it), decoded 256x342</description></item>
    /// <item><term>variable_rate.mp4</term><description>frames 1/30 s apart, then 3/30 s apart (90 frames): goes through,
    /// probed as variable frame rate</description></item>
    /// </list>
    /// </summary>
    public async Task<IReadOnlyList<BrokenInput>> GenerateBrokenInputsAsync(string dir, string ffmpeg = "ffmpeg", CancellationToken ct = default)
    {
        Directory.CreateDirectory(dir);
        string P(string name) => Path.Combine(Path.GetFullPath(dir), name);
        string[] exact = ["-an", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-threads", "1"];
        string[] h264 = [.. exact, "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"];
        string Source(int seconds, int fps = 25) => $"testsrc2=size=160x120:rate={fps}:duration={seconds}";

        await File.WriteAllBytesAsync(P("zero_byte.mp4"), [], ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(P("not_a_video.mp4"), "This is a text file with a video extension.\n", ct).ConfigureAwait(false);
        if (File.Exists(P("missing.mp4"))) File.Delete(P("missing.mp4"));
        await FfmpegRun.RunAsync(ffmpeg, ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-map_metadata", "-1", "-fflags", "+bitexact", P("audio_only.mp4")], ct).ConfigureAwait(false);

        string whole = P("whole.tmp.mp4"), wholeFast = P("whole_faststart.tmp.mp4");
        await FfmpegRun.RunAsync(ffmpeg, ["-f", "lavfi", "-i", Source(3), .. h264, whole], ct).ConfigureAwait(false);
        await FfmpegRun.RunAsync(ffmpeg, ["-f", "lavfi", "-i", Source(3), .. h264, "-g", "25", "-movflags", "+faststart", wholeFast], ct).ConfigureAwait(false);
        await CutAsync(whole, P("truncated_index.mp4"), 0.5, ct).ConfigureAwait(false);
        await CutAsync(wholeFast, P("truncated_data.mp4"), 0.4, ct).ConfigureAwait(false);
        await FfmpegRun.RunAsync(ffmpeg, ["-i", whole, "-c", "copy", "-metadata:s:v:0", "rotate=90", .. exact, P("rotated.mp4")], ct).ConfigureAwait(false);
        File.Delete(whole);
        File.Delete(wholeFast);

        await FfmpegRun.RunAsync(ffmpeg, ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-frames:v", "20", .. h264, P("too_short.mp4")], ct).ConfigureAwait(false);
        await FfmpegRun.RunAsync(ffmpeg, ["-f", "lavfi", "-i", "testsrc2=size=160x96:rate=25:duration=3", "-vf", "scale=161:97", .. exact,
            "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", P("odd_size.webm")], ct).ConfigureAwait(false);
        await FfmpegRun.RunAsync(ffmpeg, ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-frames:v", "90",
            "-vf", "setpts='if(lt(N,30),N,30+(N-30)*3)/30/TB'", "-fps_mode", "passthrough", .. h264, P("variable_rate.mp4")], ct).ConfigureAwait(false);

        const string probe = VideoStageNames.Probe, decode = VideoStageNames.Decode;
        return
        [
            new("zero_byte", P("zero_byte.mp4"), "an empty file", probe, VideoFailure.EmptyFile),
            new("not_a_video", P("not_a_video.mp4"), "a text file named .mp4", probe, VideoFailure.NotAVideo),
            new("missing", P("missing.mp4"), "a path with no file", probe, VideoFailure.FileMissing),
            new("audio_only", P("audio_only.mp4"), "an mp4 holding only audio", probe, VideoFailure.NoVideoStream),
            new("truncated_index", P("truncated_index.mp4"), "an mp4 cut in half; its index (moov) was at the end", probe, VideoFailure.Truncated),
            new("truncated_data", P("truncated_data.mp4"), "a fast-start mp4 (75 frames) cut to 40%; the index survives, the frames do not", decode, VideoFailure.Truncated,
                Padded: true, PrepareRecounts: true),
            new("too_short", P("too_short.mp4"), "20 frames, shorter than one 16x4 clip", null, null, (160, 120), (342, 256), Padded: true),
            new("odd_size", P("odd_size.webm"), "161x97 VP9, 75 frames", null, null, (161, 97), (424, 256)),
            new("rotated", P("rotated.mp4"), "160x120 with a 90-degree display matrix", null, null, (120, 160), (256, 342), Rotation: 270),
            new("variable_rate", P("variable_rate.mp4"), "90 frames, 1/30 s then 3/30 s apart", null, null, (160, 120), (342, 256), VariableFrameRate: true),
        ];
    }

    private static async Task CutAsync(string source, string target, double fraction, CancellationToken ct)
    {
        byte[] bytes = await File.ReadAllBytesAsync(source, ct).ConfigureAwait(false);
        await File.WriteAllBytesAsync(target, bytes[..(int)(bytes.Length * fraction)], ct).ConfigureAwait(false);
    }
}
