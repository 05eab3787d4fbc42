using CrossVideoMAE.Stages.Video;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>One ffmpeg run for several videos: the truth for every frame is ffmpeg's own decode of
/// that video alone (whole stream, same scale), picked by position.</summary>
[Collection(VideoCollection.Name)]
public sealed class VideoDecoderSharedRunTests(VideoTestFiles files)
{
    private readonly VideoProbe _probe = new();
    private readonly VideoDecoder _decoder = new();   // short side 256

    private async Task<(bool[] Done, Dictionary<(int, int), byte[]> Frames, List<(int, int)> Order)> RunAsync(
        TempDir scratch, params (string Path, int[] Frames)[] videos)
    {
        var requests = new List<DecodeRequest>();
        foreach (var (path, frames) in videos) requests.Add(new DecodeRequest(await _probe.ProbeAsync(path), frames));
        var got = new Dictionary<(int, int), byte[]>();
        var order = new List<(int, int)>();
        bool[] done = await _decoder.DecodeSharedAsync(requests, scratch.Path, (r, index, rgb) =>
        {
            got[(r, index)] = rgb.ToArray();
            order.Add((r, index));
        });
        return (done, got, order);
    }

    private static void AssertFfmpegFrames(string path, int w, int h, int request, int[] indices, Dictionary<(int, int), byte[]> got)
    {
        byte[][] truth = VideoTestFiles.DecodeAllWithFfmpeg(path, w, h, $"scale={w}:{h}:flags=bilinear");
        foreach (int i in indices)
            Assert.True(truth[i].AsSpan().SequenceEqual(got[(request, i)]), $"{Path.GetFileName(path)}: frame {i} differs from ffmpeg's own decode");
    }

    [Fact]
    public async Task Each_video_of_a_shared_run_gets_ffmpegs_own_frames_of_itself_in_index_order()
    {
        using var scratch = new TempDir();
        var (done, got, order) = await RunAsync(scratch,
            (files.Mp4, [13, 0, 49, 13]), (files.Odd, [24, 3]), (files.Rotated, [10]), (files.Webm, [7, 30]), (files.Avi, [0, 49]));

        Assert.Equal([true, true, true, true, true], done);
        AssertFfmpegFrames(files.Mp4, 342, 256, 0, [0, 13, 49], got);
        AssertFfmpegFrames(files.Odd, 424, 256, 1, [3, 24], got);
        AssertFfmpegFrames(files.Rotated, 256, 342, 2, [10], got);   // turned by ffmpeg as when decoded alone
        AssertFfmpegFrames(files.Webm, 342, 256, 3, [7, 30], got);
        AssertFfmpegFrames(files.Avi, 342, 256, 4, [0, 49], got);
        // Distinct frames only, each request's in increasing index order.
        Assert.Equal([(0, 0), (0, 13), (0, 49), (1, 3), (1, 24), (2, 10), (3, 7), (3, 30), (4, 0), (4, 49)], order);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
    }

    [Fact]
    public async Task A_video_that_ends_early_is_left_undone_and_its_neighbours_complete()
    {
        using var scratch = new TempDir();
        // The truncated file probes as 150 frames but decodes far fewer: frames 100 and 140 never come.
        var (done, got, _) = await RunAsync(scratch, (files.Mp4, [5]), (files.TruncatedFastStart, [10, 100, 140]), (files.Webm, [20]));

        Assert.Equal([true, false, true], done);
        Assert.DoesNotContain(got.Keys, k => k.Item1 == 1);   // nothing of an unfinished video is handed over
        AssertFfmpegFrames(files.Mp4, 342, 256, 0, [5], got);
        AssertFfmpegFrames(files.Webm, 342, 256, 2, [20], got);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
    }

    [Fact]
    public async Task A_run_that_cannot_open_an_input_leaves_every_video_undone()
    {
        using var scratch = new TempDir();
        using var gone = new TempDir();
        string copy = gone.File("gone.mp4");
        File.Copy(files.Mp4, copy);
        var requests = new List<DecodeRequest>
        {
            new(await _probe.ProbeAsync(files.Webm), [1]),
            new(await _probe.ProbeAsync(copy), [1]),
        };
        File.Delete(copy);   // gone since probing: ffmpeg stops before decoding anything
        int handed = 0;
        bool[] done = await _decoder.DecodeSharedAsync(requests, scratch.Path, (_, _, _) => handed++);
        Assert.Equal([false, false], done);
        Assert.Equal(0, handed);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
    }

    [Fact]
    public async Task A_decode_that_starts_with_a_seek_cannot_share_a_run()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Long);
        Assert.False(_decoder.CanShareRun(info, [100, 104]));
        Assert.True(_decoder.CanShareRun(info, [0, 4]));
        Assert.True(new VideoDecoder(new VideoDecoderOptions { FastSeek = false }).CanShareRun(info, [100, 104]));
        using var scratch = new TempDir();
        await Assert.ThrowsAsync<ArgumentException>(() => _decoder.DecodeSharedAsync([new DecodeRequest(info, [100, 104])], scratch.Path, (_, _, _) => { }));
    }

    [Fact]
    public async Task Cancellation_stops_a_shared_run()
    {
        VideoInfo info = await _probe.ProbeAsync(files.Mp4);
        using var scratch = new TempDir();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _decoder.DecodeSharedAsync([new DecodeRequest(info, [1]), new DecodeRequest(info, [2])], scratch.Path, (_, _, _) => { }, cts.Token));
    }
}
