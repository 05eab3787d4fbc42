using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

/// <summary>z_f on a hand-built mask: 4 tubelets (8 frames) of 2 spatial tokens, embeddings of width 1.</summary>
public class FrameTokenPoolingTests
{
    private static readonly TokenGrid Grid = new(4, 1, 2);

    // Token l = 2t + s; its embedding value is 10*l so means are easy to read.
    private static double[] Pool(long[] visible, long[] frames)
    {
        using var scope = torch.NewDisposeScope();
        long lv = visible.Length, n = frames.Length;
        Tensor ids = torch.tensor(visible, 1, lv);
        Tensor emb = torch.tensor(visible.Select(v => 10.0 * v).ToArray(), 1, lv, 1);
        return FrameTokenPooling.Pool(emb, ids, torch.tensor(frames, 1, n), Grid, tubeletSize: 2).ToArray<double>();
    }

    [Fact]
    public void Uses_the_visible_tokens_of_the_tubelet_holding_the_frame()
    {
        // Visible: tokens 2, 3 (tubelet 1), 6 (tubelet 3). Frame 3 -> tubelet 1 -> mean(20, 30).
        Assert.Equal(25.0, Pool([6, 2, 3], [3])[0], 12);
        // Frame 6 -> tubelet 3 -> token 6 only.
        Assert.Equal(60.0, Pool([6, 2, 3], [6])[0], 12);
    }

    [Fact]
    public void Falls_back_to_the_nearest_tubelet_with_a_visible_token()
    {
        // Visible: token 1 (tubelet 0) and token 7 (tubelet 3). Frame 2 -> tubelet 1 (empty): nearest is tubelet 0.
        Assert.Equal(10.0, Pool([7, 1], [2])[0], 12);
        // Frame 5 -> tubelet 2 (empty): tubelet 3 is at distance 1, tubelet 0 at 2.
        Assert.Equal(70.0, Pool([7, 1], [5])[0], 12);
        // Visible: tubelets 0 and 2 only. Frame 3 -> tubelet 1: a tie at distance 1, the earlier tubelet (0) wins.
        Assert.Equal(5.0, Pool([0, 1, 4], [3])[0], 12);
    }

    [Fact]
    public void Several_frames_are_averaged()
    {
        // Frames 0 (tubelet 0: token 0 -> 0) and 7 (tubelet 3: tokens 6, 7 -> 65): (0 + 65) / 2.
        Assert.Equal(32.5, Pool([0, 6, 7], [0, 7])[0], 12);
    }

    [Fact]
    public void A_frame_outside_the_clip_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Pool([0], [8]));
    }
}
