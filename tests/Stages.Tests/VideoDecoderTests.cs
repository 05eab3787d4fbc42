using System.Globalization;
using CrossVideoMAE.Stages.Video;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>The truth for every frame is ffmpeg's own decode of the whole stream (no selection,
/// no seeking) in a separate command, picked by position in that output.</summary>
[Collection(VideoCollection.Name)]
public sealed class VideoDecoderTests(VideoTestFiles files)
{
    private const int W = VideoTestFiles.W, H = VideoTestFiles.H;
    private static readonly VideoDecoder NativeSize = new(new VideoDecoderOptions { ShortSide = null });
    private readonly VideoProbe _probe = new();

    [Theory]
    [InlineData("cfr.mp4")]
    [InlineData("cfr.webm")]
    [InlineData("cfr.avi")]
    public async Task Native_size_frames_equal_ffmpegs_full_decode_byte_for_byte(string name)
    {
        string path = Path.Combine(files.Dir, name);
        VideoInfo info = await _probe.ProbeAsync(path);
        int[] indices = [0, 7, 13, 30, 49];
        DecodedFrames got = await NativeSize.DecodeAsync(info, indices);

        byte[][] truth = VideoTestFiles.DecodeAllWithFfmpeg(path, W, H);
        Assert.Equal(VideoTestFiles.Frames, truth.Length);
        Assert.Equal((W, H), (got.Width, got.Height));
        for (int k = 0; k < indices.Length; k++)
            Assert.True(truth[indices[k]].AsSpan().SequenceEqual(got.Frames[k]), $"{name}: frame {indices[k]} differs");
    }

    [Fact]
    public async Task Frames_come_back_in_requested_order_with_repeats()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Mp4);
        int[] indices = [13, 0, 13, 49, 49, 49];
        DecodedFrames got = await NativeSize.DecodeAsync(info, indices);
        byte[][] truth = VideoTestFiles.DecodeAllWithFfmpeg(files.Mp4, W, H);
        Assert.Equal(indices, got.FrameIndices);
        for (int k = 0; k < indices.Length; k++)
            Assert.Equal(truth[indices[k]], got.Frames[k]);
        Assert.NotEqual(got.Frames[0], got.Frames[1]);   // different source frames differ
    }

    [Theory]
    [InlineData("long.mp4")]
    [InlineData("offset.mp4")]   // timestamps start at 10 s
    public async Task Fast_seek_selects_the_same_frames_as_decoding_from_the_start(string name)
    {
        string path = Path.Combine(files.Dir, name);
        VideoInfo info = await _probe.ProbeAsync(path);
        int[] indices = [100, 104, 108, 112, 149];
        var seeking = new VideoDecoder(new VideoDecoderOptions { ShortSide = null });
        var fromStart = new VideoDecoder(new VideoDecoderOptions { ShortSide = null, FastSeek = false });
        Assert.Contains("-ss", seeking.FfmpegArguments(info, indices));
        Assert.DoesNotContain("-ss", fromStart.FfmpegArguments(info, indices));

        DecodedFrames a = await seeking.DecodeAsync(info, indices);
        DecodedFrames b = await fromStart.DecodeAsync(info, indices);
        byte[][] truth = VideoTestFiles.DecodeAllWithFfmpeg(path, W, H);
        Assert.Equal(VideoTestFiles.LongFrames, truth.Length);
        for (int k = 0; k < indices.Length; k++)
        {
            Assert.Equal(truth[indices[k]], a.Frames[k]);
            Assert.Equal(truth[indices[k]], b.Frames[k]);
        }
    }

    [Theory]
    [InlineData("cfr.webm", VideoTestFiles.Frames)]    // no frame count in the header: counted from the WebM blocks
    [InlineData("long.mp4", VideoTestFiles.LongFrames)]   // ffprobe's timing would fast-seek; the index's decodes from the start
    public async Task A_video_read_from_its_container_index_gives_ffmpegs_frames_up_to_the_last(string name, int frames)
    {
        string path = Path.Combine(files.Dir, name);
        VideoInfo info = new ContainerIndexReader().TryRead(path) ?? throw new Xunit.Sdk.XunitException($"{name} was not read");
        Assert.Equal(frames, info.FrameCount);
        int[] indices = [frames - 41, frames - 21, frames - 5, frames - 1];   // the end, where a wrong count would show
        Assert.DoesNotContain("-ss", NativeSize.FfmpegArguments(info, indices));
        DecodedFrames got = await NativeSize.DecodeAsync(info, indices);

        byte[][] truth = VideoTestFiles.DecodeAllWithFfmpeg(path, W, H);
        Assert.Equal(frames, truth.Length);
        for (int k = 0; k < indices.Length; k++)
            Assert.True(truth[indices[k]].AsSpan().SequenceEqual(got.Frames[k]), $"{name}: frame {indices[k]} differs");
    }

    [Fact]
    public async Task Variable_frame_rate_selects_by_decode_order_without_seeking()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Vfr);
        int[] indices = [5, 19, 20, 25, 40, 59];
        var decoder = new VideoDecoder(new VideoDecoderOptions { ShortSide = null });
        Assert.DoesNotContain("-ss", decoder.FfmpegArguments(info, indices));
        DecodedFrames got = await decoder.DecodeAsync(info, indices);
        byte[][] truth = VideoTestFiles.DecodeAllWithFfmpeg(files.Vfr, W, H);
        Assert.Equal(VideoTestFiles.VfrFrames, truth.Length);
        for (int k = 0; k < indices.Length; k++)
            Assert.Equal(truth[indices[k]], got.Frames[k]);
    }

    [Fact]
    public async Task Short_side_256_keeps_aspect_and_matches_ffmpegs_scale_of_every_frame()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Mp4);
        var decoder = new VideoDecoder();   // ShortSide 256 by default
        int[] indices = [3, 44];
        DecodedFrames got = await decoder.DecodeAsync(info, indices);
        // 64x48 -> short side 256, long side 64*256/48 = 341.3 -> nearest even 342.
        Assert.Equal((342, 256), (got.Width, got.Height));
        Assert.All(got.Frames, f => Assert.Equal(342 * 256 * 3, f.Length));
        byte[][] truth = VideoTestFiles.DecodeAllWithFfmpeg(files.Mp4, 342, 256, "scale=342:256:flags=bilinear");
        for (int k = 0; k < indices.Length; k++)
            Assert.Equal(truth[indices[k]], got.Frames[k]);
    }

    [Fact]
    public async Task Scaled_frames_are_close_to_a_pytorch_bilinear_resize_of_the_native_frame()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Mp4);
        DecodedFrames native = await NativeSize.DecodeAsync(info, [20]);
        DecodedFrames scaled = await new VideoDecoder().DecodeAsync(info, [20]);

        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("native.raw"), native.Frames[0]);
        string script = $$"""
            import torch, torch.nn.functional as F
            x = torch.frombuffer(bytearray(open('native.raw','rb').read()), dtype=torch.uint8).reshape({{H}}, {{W}}, 3)
            x = x.permute(2, 0, 1)[None].float()
            y = F.interpolate(x, size=(256, 342), mode='bilinear', align_corners=False)
            y = y.round().clamp(0, 255).to(torch.uint8)[0].permute(1, 2, 0).contiguous()
            open('torch.raw','wb').write(y.numpy().tobytes())
            """;
        PyTorchReference.Run(script, dir.Path);
        byte[] reference = File.ReadAllBytes(dir.File("torch.raw"));
        double mad = VideoTestFiles.MeanAbsDiff(reference, scaled.Frames[0]);
        // Measured 3.9 (swscale upsamples the 4:2:0 chroma in the same step); nearest-neighbour gives 9.1,
        // a one-pixel shift or a crop far more.
        Assert.True(mad < 6.0, $"mean abs difference to a PyTorch bilinear resize is {mad:F2} levels");
    }

    [Fact]
    public async Task Odd_size_is_scaled_to_even_dimensions()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Odd);
        Assert.Equal((VideoTestFiles.OddW, VideoTestFiles.OddH), (info.Width, info.Height));
        var decoder = new VideoDecoder();
        // 161x97 -> short side 256, long side 161*256/97 = 424.9 -> nearest even 424.
        Assert.Equal((424, 256), decoder.OutputSizeOf(info));
        DecodedFrames got = await decoder.DecodeAsync(info, [0, 24]);
        byte[][] truth = VideoTestFiles.DecodeAllWithFfmpeg(files.Odd, 424, 256, "scale=424:256:flags=bilinear");
        Assert.Equal(truth[0], got.Frames[0]);
        Assert.Equal(truth[24], got.Frames[1]);
        // And at native size, odd dimensions come through unchanged.
        DecodedFrames native = await NativeSize.DecodeAsync(info, [24]);
        Assert.Equal((161, 97), (native.Width, native.Height));
        Assert.Equal(VideoTestFiles.DecodeAllWithFfmpeg(files.Odd, 161, 97)[24], native.Frames[0]);
    }

    [Fact]
    public async Task Rotated_video_comes_out_turned_with_swapped_size()
    {
        VideoInfo rotated = await _probe.ProbeAsync(files.Rotated);
        VideoInfo upright = await _probe.ProbeAsync(files.Mp4);
        DecodedFrames r = await NativeSize.DecodeAsync(rotated, [10]);
        DecodedFrames u = await NativeSize.DecodeAsync(upright, [10]);
        Assert.Equal((H, W), (r.Width, r.Height));

        // Rotation 270 clockwise = 90 counter-clockwise: out(x, y) = src(W-1-y, x).
        var expected = new byte[W * H * 3];
        for (int y = 0; y < W; y++)
            for (int x = 0; x < H; x++)
                for (int c = 0; c < 3; c++)
                    expected[(y * H + x) * 3 + c] = u.Frames[0][(x * W + (W - 1 - y)) * 3 + c];
        // Measured exact (0.0); the opposite turn differs by about 108 levels.
        double mad = VideoTestFiles.MeanAbsDiff(expected, r.Frames[0]);
        Assert.True(mad < 1.0, $"mean abs difference to the turned upright frame is {mad:F2}");

        DecodedFrames scaled = await new VideoDecoder().DecodeAsync(rotated, [10]);
        Assert.Equal((256, 342), (scaled.Width, scaled.Height));
        Assert.Equal(256 * 342 * 3, scaled.Frames[0].Length);
    }

    [Fact]
    public async Task Truncated_stream_raises_Truncated_at_the_decode_stage_with_ffmpegs_message()
    {
        VideoInfo info = await _probe.ProbeAsync(files.TruncatedFastStart);
        var e = await Assert.ThrowsAsync<VideoInputException>(() => new VideoDecoder().DecodeAsync(info, [10, 100, 140]));
        Assert.Equal(VideoFailure.Truncated, e.Failure);
        Assert.Equal(VideoStageNames.Decode, e.Stage);
        Assert.False(e.IsTransient);
        Assert.NotNull(e.ToolOutput);
        Assert.Contains("partial file", e.ToolOutput);
    }

    [Fact]
    public async Task Index_outside_the_video_is_an_argument_error()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Mp4);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => NativeSize.DecodeAsync(info, [0, VideoTestFiles.Frames]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => NativeSize.DecodeAsync(info, [-1]));
    }

    [Fact]
    public async Task A_file_gone_since_probing_is_FileMissing_at_decode()
    {
        string copy = Path.Combine(files.Dir, "vanishing.mp4");
        File.Copy(files.Mp4, copy, overwrite: true);
        VideoInfo info = await _probe.ProbeAsync(copy);
        File.Delete(copy);
        var e = await Assert.ThrowsAsync<VideoInputException>(() => NativeSize.DecodeAsync(info, [1]));
        Assert.Equal((VideoFailure.FileMissing, VideoStageNames.Decode), (e.Failure, e.Stage));
    }

    [Fact]
    public async Task Time_limit_kills_ffmpeg_and_reports_a_transient_timeout()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Mp4);
        string slow = files.FakeTool("slow-ffmpeg", "sleep 30");
        var decoder = new VideoDecoder(new VideoDecoderOptions { FfmpegPath = slow, Timeout = TimeSpan.FromMilliseconds(300) });
        var e = await Assert.ThrowsAsync<VideoInputException>(() => decoder.DecodeAsync(info, [1]));
        Assert.Equal(VideoFailure.Timeout, e.Failure);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Cancellation_kills_ffmpeg_midway()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Mp4);
        // Writes one frame, then hangs: the decoder is blocked reading the second when cancelled.
        string frameBytes = (W * H * 3).ToString(CultureInfo.InvariantCulture);
        string stuck = files.FakeTool("stuck-ffmpeg", $"head -c {frameBytes} /dev/zero; sleep 30");
        var decoder = new VideoDecoder(new VideoDecoderOptions { FfmpegPath = stuck, ShortSide = null });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => decoder.DecodeAsync(info, [1, 2], cts.Token));
    }

    [Fact]
    public async Task Ffmpeg_killed_by_a_signal_midway_is_a_transient_interruption()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Mp4);
        string killed = files.FakeTool("killed-ffmpeg", "kill -9 $$");
        var decoder = new VideoDecoder(new VideoDecoderOptions { FfmpegPath = killed });
        var e = await Assert.ThrowsAsync<VideoInputException>(() => decoder.DecodeAsync(info, [1]));
        Assert.Equal(VideoFailure.Interrupted, e.Failure);
        Assert.True(e.IsTransient);
    }

    [Theory]
    [InlineData(64, 48, 256, 342, 256)]
    [InlineData(48, 64, 256, 256, 342)]
    [InlineData(320, 240, 256, 342, 256)]
    [InlineData(1920, 1080, 256, 456, 256)]   // 455.1 -> 456
    [InlineData(161, 97, 256, 424, 256)]
    [InlineData(256, 256, 224, 224, 224)]
    public void Output_size_keeps_aspect_with_even_sides(int w, int h, int s, int ew, int eh)
        => Assert.Equal((ew, eh), OutputSize.Scale(w, h, s));

    [Fact]
    public void Short_side_must_be_even()
        => Assert.Throws<ArgumentOutOfRangeException>(() => OutputSize.Scale(64, 48, 255));
}
