using CrossVideoMAE.Stages.Sampling;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

public sealed class SamplingFrameTests
{
    // A clip whose source indices are easy to recognise: 100, 104, ..., 160.
    private static readonly SampledClip Clip = new(0, Enumerable.Range(0, 16).Select(i => 100 + 4 * i).ToArray(), Padded: false);

    [Fact]
    public void First_takes_the_first_positions()
    {
        SampledFrames f = new FrameSampler(new FrameSamplerOptions { Count = 3, Selection = FrameSelection.First }).Sample("v", Clip);
        Assert.Equal([0, 1, 2], f.ClipPositions);
        Assert.Equal([100, 104, 108], f.SourceFrameIndices);
    }

    [Theory]
    [InlineData(1, new[] { 7 })]
    [InlineData(2, new[] { 7, 8 })]
    [InlineData(4, new[] { 6, 7, 8, 9 })]
    public void Middle_centres_the_positions(int n, int[] positions)
    {
        SampledFrames f = new FrameSampler(new FrameSamplerOptions { Count = n, Selection = FrameSelection.Middle }).Sample("v", Clip);
        Assert.Equal(positions, f.ClipPositions);
        Assert.Equal(positions.Select(p => 100 + 4 * p), f.SourceFrameIndices);
    }

    [Fact]
    public void Random_default_is_one_frame_and_reaches_every_position()
    {
        var sampler = new FrameSampler();
        var seen = new HashSet<int>();
        for (int v = 0; v < 500; v++)
        {
            SampledFrames f = sampler.Sample($"v{v}", Clip);
            Assert.Single(f.ClipPositions);
            Assert.Equal(100 + 4 * f.ClipPositions[0], f.SourceFrameIndices[0]);
            seen.Add(f.ClipPositions[0]);
        }
        Assert.Equal(16, seen.Count);
    }

    [Fact]
    public void Random_several_frames_are_distinct_sorted_and_replayable()
    {
        var sampler = new FrameSampler(new FrameSamplerOptions { Count = 5, Seed = 9 });
        for (int v = 0; v < 100; v++)
        {
            SampledFrames f = sampler.Sample($"v{v}", Clip);
            Assert.Equal(5, f.ClipPositions.Distinct().Count());
            Assert.Equal(f.ClipPositions.Order(), f.ClipPositions);
            Assert.All(f.ClipPositions, p => Assert.InRange(p, 0, 15));
            Assert.Equal(f.ClipPositions, new FrameSampler(new FrameSamplerOptions { Count = 5, Seed = 9 }).Sample($"v{v}", Clip).ClipPositions);
        }
        var all16 = new FrameSampler(new FrameSamplerOptions { Count = 16 }).Sample("v", Clip);
        Assert.Equal(Enumerable.Range(0, 16), all16.ClipPositions);
    }

    [Fact]
    public void More_frames_than_the_clip_holds_is_an_error()
        => Assert.Throws<ArgumentException>(() => new FrameSampler(new FrameSamplerOptions { Count = 17 }).Sample("v", Clip));
}
