using CrossVideoMAE.Stages.Video;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>
/// The cheap checks of a container's frame count: <see cref="ContainerExtent"/> (the file ends before the
/// container's own sizes say it does), an AVI's idx1 against its header (<see cref="FrameCountDoubt"/>) and the
/// decoder's past-end check (a frame decodes past the claimed end),
/// plus <see cref="VideoProbe.CountFramesAsync"/>, the count by decoding they lead to. Truth: ffmpeg's full decode.
/// </summary>
[Collection(VideoCollection.Name)]
public sealed class VideoFrameCountCheckTests(VideoTestFiles files)
{
    [Theory]
    [InlineData("cfr.mp4")]
    [InlineData("cfr.webm")]
    [InlineData("cfr.avi")]
    [InlineData("long.mp4")]
    public void A_whole_file_is_not_cut_short_and_the_same_file_cut_by_a_third_is(string name)
    {
        string whole = Path.Combine(files.Dir, name);
        Assert.False(ContainerExtent.IsCutShort(whole));
        string cut = Path.Combine(files.Dir, "cut-" + name);
        byte[] bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);
        Assert.True(ContainerExtent.IsCutShort(cut), $"{name} cut to two thirds");
        Assert.False(ContainerExtent.IsCutShort(files.Text));
    }

    [Fact]
    public async Task An_avi_index_that_disagrees_with_the_header_makes_the_count_doubtful()
    {
        Assert.Equal(VideoTestFiles.Frames, AviFrameChunks.CountInIndex(files.Avi));   // what ffmpeg decodes (the fixture's truth)
        Assert.Null(AviFrameChunks.CountInIndex(files.Mp4));
        VideoInfo info = await new VideoProbe().ProbeAsync(files.Avi);
        Assert.Null(FrameCountDoubt.Reason(info));
        Assert.Equal("idx1 lists 50 video frames, the header 40", FrameCountDoubt.Reason(info with { FrameCount = 40 }));
        Assert.Null(FrameCountDoubt.Reason(info with { FrameCount = 40, FrameCountSource = FrameCountSource.Counted }));
    }

    [Fact]
    public async Task A_frame_past_an_under_reported_count_is_found_when_the_last_wanted_frame_is_near_the_end()
    {
        // The AVI holds 50 frames; its info claims 40 (as a lying header would).
        VideoInfo info = await new VideoProbe().ProbeAsync(files.Avi);
        Assert.Equal(VideoTestFiles.Frames, info.FrameCount);
        VideoInfo claimed = info with { FrameCount = 40 };
        var checking = new VideoDecoder(new VideoDecoderOptions { ShortSide = null, PastEndCheckFrames = 5 });

        var e = await Assert.ThrowsAsync<VideoInputException>(() => checking.DecodeAsync(claimed, [3, 37]));
        Assert.Equal((VideoFailure.UnderCounted, VideoStageNames.Decode, false), (e.Failure, e.Stage, e.IsTransient));
        Assert.Contains("frame 40 decodes", e.Reason, StringComparison.Ordinal);

        // Far from the claimed end the check is not made; at the true end there is nothing past it; frames are ffmpeg's.
        byte[][] truth = VideoTestFiles.DecodeAllWithFfmpeg(files.Avi, VideoTestFiles.W, VideoTestFiles.H);
        DecodedFrames early = await checking.DecodeAsync(claimed, [3, 30]);
        DecodedFrames last = await checking.DecodeAsync(info, [3, 49]);
        Assert.Equal([truth[3], truth[30]], early.Frames);
        Assert.Equal([truth[3], truth[49]], last.Frames);
        Assert.Contains(@"eq(n\,40)", Select(checking, claimed, [3, 37]));
        Assert.DoesNotContain(@"eq(n\,40)", Select(checking, claimed, [3, 30]));

        // A count by decoding is trusted: no check, and the count is ffmpeg's.
        VideoInfo counted = await new VideoProbe().CountFramesAsync(claimed);
        Assert.Equal((VideoTestFiles.Frames, FrameCountSource.Counted), (counted.FrameCount, counted.FrameCountSource));
        DecodedFrames end = await checking.DecodeAsync(counted, [49]);
        Assert.Equal(truth[49], end.Frames[0]);
        Assert.DoesNotContain(@"eq(n\,50)", Select(checking, counted, [49]));
    }

    private static string Select(VideoDecoder decoder, VideoInfo info, int[] frames) =>
        decoder.FfmpegArguments(info, frames).Single(a => a.StartsWith("select=", StringComparison.Ordinal));
}
