using CrossVideoMAE.Pipeline.Downstream;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Report;

/// <summary>
/// Lays out one clip's <see cref="ReconstructionPanels"/> as an RGB image: four rows (original frames,
/// masked input, reconstruction, last-block attention received as a jet colour map over the grey
/// frame), one column per tubelet (its first frame), tiles separated by white 2-pixel gaps.
/// </summary>
public static class FigureImage
{
    public const int Gap = 2;
    public const int Rows = 4;

    public static (byte[] rgb, int width, int height) Compose(ReconstructionPanels p, int tubelet, IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null)
    {
        mean ??= Normalize.ImageNetMean;
        std ??= Normalize.ImageNetStd;
        int t = (int)p.Original.size(1), h = (int)p.Original.size(2), w = (int)p.Original.size(3);
        int cols = t / tubelet;
        int width = cols * w + (cols + 1) * Gap, height = Rows * h + (Rows + 1) * Gap;
        var rgb = new byte[width * height * 3];
        Array.Fill(rgb, (byte)255);

        float[] original = ToArray(p.Original), masked = ToArray(p.Masked), recon = ToArray(p.Reconstruction);
        float[] attention = ToArray(p.AttentionReceived);                 // [T', H', W']
        int ah = (int)p.AttentionReceived.size(1), aw = (int)p.AttentionReceived.size(2);
        float lo = attention.Min(), hi = attention.Max();
        float range = hi > lo ? hi - lo : 1;

        for (int col = 0; col < cols; col++)
        {
            int frame = col * tubelet;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int px = Gap + col * (w + Gap) + x;
                    for (int row = 0; row < 3; row++)
                    {
                        float[] src = row == 0 ? original : row == 1 ? masked : recon;
                        int py = Gap + row * (h + Gap) + y;
                        for (int c = 0; c < 3; c++)
                            rgb[(py * width + px) * 3 + c] = Pixel(src[((c * t + frame) * h + y) * w + x], mean[c], std[c]);
                    }
                    // attention row: nearest upsampling of the token grid, blended with the grey frame
                    float v = (attention[(col * ah + y * ah / h) * aw + x * aw / w] - lo) / range;
                    var (r, g, b) = Jet(v);
                    double grey = 0;
                    for (int c = 0; c < 3; c++) grey += Pixel(original[((c * t + frame) * h + y) * w + x], mean[c], std[c]) / 3.0;
                    int ay = Gap + 3 * (h + Gap) + y;
                    int o = (ay * width + px) * 3;
                    rgb[o] = (byte)Math.Round(0.5 * grey + 0.5 * r);
                    rgb[o + 1] = (byte)Math.Round(0.5 * grey + 0.5 * g);
                    rgb[o + 2] = (byte)Math.Round(0.5 * grey + 0.5 * b);
                }
        }
        return (rgb, width, height);
    }

    /// <summary>Normalised value -> 0..255: round(clamp((x * std + mean) * 255)).</summary>
    public static byte Pixel(float x, double mean, double std) => (byte)Math.Clamp(Math.Round((x * std + mean) * 255.0), 0, 255);

    /// <summary>The jet colour map for v in [0, 1] (blue, cyan, yellow, red), 0..255 per channel.</summary>
    public static (int r, int g, int b) Jet(float v)
    {
        static int C(double x) => (int)Math.Round(255 * Math.Clamp(x, 0, 1));
        return (C(1.5 - Math.Abs(4 * v - 3)), C(1.5 - Math.Abs(4 * v - 2)), C(1.5 - Math.Abs(4 * v - 1)));
    }

    private static float[] ToArray(Tensor t)
    {
        using Tensor f = t.to(ScalarType.Float32).contiguous();
        return f.ToArray<float>();
    }
}
