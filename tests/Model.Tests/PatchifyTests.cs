using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

public class PatchifyTests
{
    [Fact]
    public void Token_layout_is_frame_row_column_channel_and_round_trips()
    {
        using var scope = torch.NewDisposeScope();
        // Value = c*1000 + t*100 + h*10 + w on a [1, 2, 4, 4, 4] clip with 2x2x2 tubelets.
        var values = new float[2 * 4 * 4 * 4];
        for (int c = 0; c < 2; c++) for (int t = 0; t < 4; t++) for (int h = 0; h < 4; h++) for (int w = 0; w < 4; w++)
            values[((c * 4 + t) * 4 + h) * 4 + w] = c * 1000 + t * 100 + h * 10 + w;
        Tensor video = torch.tensor(values, 1, 2, 4, 4, 4);
        Tensor tokens = Patchify.Video(video, tubelet: 2, patch: 2);
        Assert.Equal(new long[] { 1, 8, 16 }, tokens.shape);
        // Token 5 = (t'=1, h'=0, w'=1): frames 2-3, rows 0-1, columns 2-3; values in (u, p, q, c) order.
        float[] tok5 = tokens[0, 5].ToArray<float>();
        Assert.Equal(new float[] { 202, 1202, 203, 1203, 212, 1212, 213, 1213, 302, 1302, 303, 1303, 312, 1312, 313, 1313 }, tok5);
        Tensor back = Patchify.Unvideo(tokens, new TokenGrid(2, 2, 2), tubelet: 2, patch: 2, channels: 2);
        Assert.Equal(values, back.contiguous().ToArray<float>());
    }
}
