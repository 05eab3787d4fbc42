using CrossVideoMAE.Stages.Sampling;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

public sealed class SamplingClipTests
{
    private static ClipSampler Strided(int stride = 4, bool training = true, int clips = 1, ulong seed = 0)
        => new(new ClipSamplerOptions { Stride = stride, Training = training, ClipsPerVideo = clips, Seed = seed });

    [Fact]
    public void Strided_training_clip_is_16_frames_stride_apart_from_a_start_inside_the_video()
    {
        for (int v = 0; v < 200; v++)
        {
            SampledClip clip = Strided(4).Sample($"video{v}", 100).Single();
            Assert.Equal(16, clip.Length);
            Assert.False(clip.Padded);
            Assert.InRange(clip.FirstFrame, 0, 100 - 61);
            for (int i = 0; i < 16; i++) Assert.Equal(clip.FirstFrame + 4 * i, clip.FrameIndices[i]);
        }
    }

    [Fact]
    public void Random_starts_reach_both_ends_of_the_allowed_range()
    {
        // 100 frames, span 61: starts 0..39. 2000 videos make missing an end vanishingly unlikely.
        var starts = Enumerable.Range(0, 2000).Select(v => Strided(4).Sample($"v{v}", 100)[0].FirstFrame).ToList();
        Assert.Equal(0, starts.Min());
        Assert.Equal(39, starts.Max());
        Assert.True(starts.Distinct().Count() == 40);
    }

    [Fact]
    public void Same_seed_and_video_give_the_same_clips_other_seeds_other_clips()
    {
        var a = Strided(2, seed: 5, clips: 3).Sample("abc", 500);
        var b = Strided(2, seed: 5, clips: 3).Sample("abc", 500);
        Assert.Equal(a.Select(c => c.FrameIndices.ToArray()), b.Select(c => c.FrameIndices.ToArray()));
        Assert.Equal(3, a.Select(c => c.FirstFrame).Distinct().Count());   // clips of one video differ
        var others = Enumerable.Range(6, 20).Select(s => Strided(2, seed: (ulong)s).Sample("abc", 500)[0].FirstFrame);
        Assert.True(others.Distinct().Count() > 10);
    }

    [Fact]
    public void Evaluation_clips_are_spread_evenly_without_randomness()
    {
        // 300 frames, span 61 -> starts 0..239.
        Assert.Equal(119, Strided(training: false).Sample("x", 300).Single().FirstFrame);
        Assert.Equal([0, 120, 239], Strided(training: false, clips: 3).Sample("x", 300).Select(c => c.FirstFrame));
        Assert.Equal(Strided(training: false, seed: 1).Sample("x", 300)[0].FrameIndices, Strided(training: false, seed: 2).Sample("y", 300)[0].FrameIndices);
    }

    [Fact]
    public void Video_shorter_than_a_clip_repeats_its_last_frame_and_is_flagged()
    {
        SampledClip clip = Strided(4).Sample("short", 30).Single();
        Assert.True(clip.Padded);
        Assert.Equal([0, 4, 8, 12, 16, 20, 24, 28, 29, 29, 29, 29, 29, 29, 29, 29], clip.FrameIndices);
        SampledClip one = Strided(4).Sample("one-frame", 1).Single();
        Assert.All(one.FrameIndices, i => Assert.Equal(0, i));
        Assert.True(one.Padded);
    }

    [Fact]
    public void Video_exactly_one_span_long_fits_without_padding()
    {
        SampledClip clip = Strided(2).Sample("exact", 31).Single();   // (16-1)*2+1 = 31
        Assert.False(clip.Padded);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => 2 * i), clip.FrameIndices);
    }

    [Fact]
    public void Segment_training_takes_one_frame_from_each_of_16_equal_segments()
    {
        var sampler = new ClipSampler(new ClipSamplerOptions { Mode = ClipSamplingMode.Segments, Seed = 3 });
        const int n = 75;   // segment i covers frames floor(75i/16) .. floor(75(i+1)/16)-1
        var seen = new HashSet<int>();
        for (int v = 0; v < 300; v++)
        {
            SampledClip clip = sampler.Sample($"ssv2-{v}", n).Single();
            Assert.False(clip.Padded);
            for (int i = 0; i < 16; i++)
            {
                Assert.InRange(clip.FrameIndices[i], 75 * i / 16, 75 * (i + 1) / 16 - 1);
                seen.Add(clip.FrameIndices[i]);
            }
        }
        Assert.Equal(n, seen.Count);   // every frame of every segment gets picked sometimes
    }

    [Fact]
    public void Segment_evaluation_takes_the_middle_of_each_segment()
    {
        var sampler = new ClipSampler(new ClipSamplerOptions { Mode = ClipSamplingMode.Segments, Training = false });
        Assert.Equal(Enumerable.Range(0, 16).Select(i => 10 * i + 5), sampler.Sample("x", 160).Single().FrameIndices);
        var two = new ClipSampler(new ClipSamplerOptions { Mode = ClipSamplingMode.Segments, Training = false, ClipsPerVideo = 2 }).Sample("x", 160);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => 10 * i + 2), two[0].FrameIndices);   // 10 * 1/4 -> 2
        Assert.Equal(Enumerable.Range(0, 16).Select(i => 10 * i + 7), two[1].FrameIndices);   // 10 * 3/4 -> 7
    }

    [Fact]
    public void Segment_mode_pads_a_video_with_fewer_frames_than_segments()
    {
        var sampler = new ClipSampler(new ClipSamplerOptions { Mode = ClipSamplingMode.Segments });
        SampledClip clip = sampler.Sample("tiny", 10).Single();
        Assert.True(clip.Padded);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9, 9], clip.FrameIndices);
    }

    [Fact]
    public void Presets_follow_the_method()
    {
        Assert.Equal((16, 4), (ClipSamplerOptions.Kinetics400.FramesPerClip, ClipSamplerOptions.Kinetics400.Stride));
        Assert.Equal((16, 2), (ClipSamplerOptions.SomethingSomethingV2.FramesPerClip, ClipSamplerOptions.SomethingSomethingV2.Stride));
        Assert.Equal(61, ClipSamplerOptions.Kinetics400.Span);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Strided().Sample("x", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipSampler(new ClipSamplerOptions { Stride = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipSampler(new ClipSamplerOptions { FramesPerClip = 0 }));
    }
}
