using CrossVideoMAE.Stages.Video;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

[Collection(VideoCollection.Name)]
public sealed class VideoProbeTests(VideoTestFiles files)
{
    private readonly VideoProbe _probe = new();

    [Theory]
    [InlineData("cfr.mp4", "h264", FrameCountSource.Header)]
    [InlineData("cfr.webm", "vp9", FrameCountSource.Counted)]   // webm has no nb_frames: counted by decoding
    [InlineData("cfr.avi", "mpeg4", FrameCountSource.Header)]
    public async Task Reports_what_ffmpeg_was_told_to_write(string name, string codec, FrameCountSource source)
    {
        VideoInfo info = await _probe.ProbeAsync(Path.Combine(files.Dir, name));
        Assert.Equal(codec, info.Codec);
        Assert.Equal((VideoTestFiles.W, VideoTestFiles.H), (info.Width, info.Height));
        Assert.Equal((VideoTestFiles.W, VideoTestFiles.H), (info.DisplayWidth, info.DisplayHeight));
        Assert.Equal(VideoTestFiles.Frames, info.FrameCount);
        Assert.Equal(source, info.FrameCountSource);
        Assert.Equal(VideoTestFiles.Fps, info.Fps, 6);
        Assert.Equal(2.0, info.DurationSeconds, 1);
        Assert.Equal(0, info.Rotation);
        Assert.False(info.IsVariableFrameRate);
        Assert.Equal("yuv420p", info.PixelFormat);
    }

    [Fact]
    public async Task Reads_fractional_ntsc_rate()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Ntsc);
        Assert.Equal(new Rational(30000, 1001), info.AverageFrameRate);
        Assert.Equal(30000.0 / 1001, info.Fps, 9);
        Assert.Equal(30, info.FrameCount);   // 1 s at 29.97 fps: frames at 0 .. 29*1001/30000 s
        Assert.False(info.IsVariableFrameRate);
    }

    [Fact]
    public async Task Without_counting_a_webm_frame_count_is_estimated_from_duration()
    {
        var probe = new VideoProbe(new VideoProbeOptions { CountFramesWhenMissing = false });
        VideoInfo info = await probe.ProbeAsync(files.Webm);
        Assert.Equal(FrameCountSource.Estimated, info.FrameCountSource);
        Assert.Equal(VideoTestFiles.Frames, info.FrameCount);
    }

    [Fact]
    public async Task Detects_variable_frame_rate()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Vfr);
        Assert.True(info.IsVariableFrameRate);
        Assert.Equal(new Rational(30, 1), info.RealFrameRate);
        Assert.Equal(VideoTestFiles.VfrFrames, info.FrameCount);
        // 20 frames 1/30 s apart then 40 frames 3/30 s apart: the last starts at (19 + 40*3)/30 s
        // (mp4 reports the stream a little shorter, format a little longer).
        Assert.InRange(info.DurationSeconds, 4.3, 4.7);
        Assert.True(info.AverageFrameRate.Value < 30 * 0.5);
    }

    [Fact]
    public async Task Display_matrix_rotation_swaps_the_display_size()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Rotated);
        // ffmpeg 5.1 stores "rotate=90" as a display matrix that ffprobe prints as rotation 90
        // (counter-clockwise), i.e. a player turns the picture 270 degrees clockwise.
        Assert.Equal(270, info.Rotation);
        Assert.True(info.RotationSwapsAxes);
        Assert.Equal((VideoTestFiles.W, VideoTestFiles.H), (info.Width, info.Height));
        Assert.Equal((VideoTestFiles.H, VideoTestFiles.W), (info.DisplayWidth, info.DisplayHeight));
    }

    [Fact]
    public void Legacy_rotate_tag_is_read_as_clockwise_degrees()
    {
        const string json = """
            {"streams":[{"index":0,"codec_name":"h264","codec_type":"video","width":640,"height":360,"pix_fmt":"yuv420p",
              "r_frame_rate":"30/1","avg_frame_rate":"30/1","duration":"10.0","nb_frames":"300","tags":{"rotate":"90"}}],
             "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"10.0"}}
            """;
        VideoInfo info = FfprobeJson.Parse("x.mp4", json);
        Assert.Equal(90, info.Rotation);
        Assert.Equal((360, 640), (info.DisplayWidth, info.DisplayHeight));
        Assert.Equal(300, info.FrameCount);
    }

    [Fact]
    public void Cover_art_stream_is_skipped_for_the_real_video_stream()
    {
        const string json = """
            {"streams":[
              {"index":0,"codec_name":"mjpeg","codec_type":"video","width":300,"height":300,"r_frame_rate":"90000/1","avg_frame_rate":"0/0","disposition":{"attached_pic":1}},
              {"index":1,"codec_name":"h264","codec_type":"video","width":320,"height":240,"r_frame_rate":"25/1","avg_frame_rate":"25/1","nb_frames":"75"}],
             "format":{"format_name":"matroska,webm","duration":"3.0"}}
            """;
        VideoInfo info = FfprobeJson.Parse("x.mkv", json);
        Assert.Equal(1, info.StreamIndex);
        Assert.Equal("h264", info.Codec);
        Assert.Equal(3.0, info.DurationSeconds);
    }

    [Fact]
    public void Oversized_stream_is_rejected_before_use()
    {
        const string json = """
            {"streams":[{"index":0,"codec_name":"h264","codec_type":"video","width":100000,"height":2,"r_frame_rate":"25/1","avg_frame_rate":"25/1"}],"format":{"format_name":"avi"}}
            """;
        var e = Assert.Throws<VideoInputException>(() => FfprobeJson.Parse("big.avi", json));
        Assert.Equal(VideoFailure.Corrupt, e.Failure);
        Assert.Contains("100000x2", e.Reason);
    }

    public static TheoryData<string, VideoFailure> BrokenFiles => new()
    {
        { "does-not-exist.mp4", VideoFailure.FileMissing },
        { "empty.mp4", VideoFailure.EmptyFile },
        { "text.mp4", VideoFailure.NotAVideo },
        { "still.mp4", VideoFailure.NotAVideo },
        { "audio.mp4", VideoFailure.NoVideoStream },
        { "truncated_moov.mp4", VideoFailure.Truncated },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public async Task Broken_file_raises_a_permanent_typed_error_naming_file_and_stage(string name, VideoFailure failure)
    {
        string path = Path.Combine(files.Dir, name);
        var e = await Assert.ThrowsAsync<VideoInputException>(() => _probe.ProbeAsync(path));
        Assert.Equal(failure, e.Failure);
        Assert.Equal(VideoStageNames.Probe, e.Stage);
        Assert.Equal(path, e.FilePath);
        Assert.False(e.IsTransient);
        Assert.Contains(path, e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
    }

    [Fact]
    public async Task Timestamps_that_start_late_are_reported()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Offset);
        Assert.Equal(10.0, info.StartTime, 3);
        Assert.Equal(VideoTestFiles.LongFrames, info.FrameCount);
    }

    [Fact]
    public async Task A_folder_is_not_a_video_file()
    {
        var e = await Assert.ThrowsAsync<VideoInputException>(() => _probe.ProbeAsync(files.Dir));
        Assert.Equal(VideoFailure.FileMissing, e.Failure);
        Assert.Contains("folder", e.Reason);
    }

    [Fact]
    public async Task Truncated_faststart_mp4_probes_from_its_intact_header()
    {
        // The index sits before the data, so ffprobe still sees the header's 150 frames; the
        // decoder is the stage that finds the missing data (see VideoDecoderTests).
        VideoInfo info = await _probe.ProbeAsync(files.TruncatedFastStart);
        Assert.Equal(VideoTestFiles.LongFrames, info.FrameCount);
    }

    [Fact]
    public async Task Time_limit_kills_ffprobe_and_reports_a_transient_timeout()
    {
        string slow = files.FakeTool("slow-ffprobe", "sleep 30");
        var probe = new VideoProbe(new VideoProbeOptions { FfprobePath = slow, Timeout = TimeSpan.FromMilliseconds(300) });
        var e = await Assert.ThrowsAsync<VideoInputException>(() => probe.ProbeAsync(files.Mp4));
        Assert.Equal(VideoFailure.Timeout, e.Failure);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Tool_killed_by_a_signal_is_a_transient_interruption()
    {
        string killed = files.FakeTool("killed-ffprobe", "kill -9 $$");
        var probe = new VideoProbe(new VideoProbeOptions { FfprobePath = killed });
        var e = await Assert.ThrowsAsync<VideoInputException>(() => probe.ProbeAsync(files.Mp4));
        Assert.Equal(VideoFailure.Interrupted, e.Failure);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Cancellation_stops_ffprobe_and_is_not_a_video_error()
    {
        string slow = files.FakeTool("slow-ffprobe-2", "sleep 30");
        var probe = new VideoProbe(new VideoProbeOptions { FfprobePath = slow });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.ProbeAsync(files.Mp4, cts.Token));
    }

    [Fact]
    public async Task Missing_ffprobe_is_an_environment_error()
    {
        var probe = new VideoProbe(new VideoProbeOptions { FfprobePath = "/nonexistent/ffprobe" });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => probe.ProbeAsync(files.Mp4));
        Assert.Contains("ffmpeg", e.Message);
    }

    [Fact]
    public async Task A_file_name_that_looks_like_an_option_or_protocol_is_read_as_a_file()
    {
        string odd = Path.Combine(files.Dir, "-i concat:x.mp4");
        File.Copy(files.Mp4, odd, overwrite: true);
        VideoInfo info = await _probe.ProbeAsync(odd);
        Assert.Equal(VideoTestFiles.Frames, info.FrameCount);
    }
}
