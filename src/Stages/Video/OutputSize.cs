namespace CrossVideoMAE.Stages.Video;

/// <summary>The decoder's output size: the display size scaled so its shorter side is a target, aspect kept.</summary>
public static class OutputSize
{
    /// <summary>Scales (width, height) so the shorter side becomes <paramref name="shortSide"/> and the longer
    /// side the nearest even number to its exact value (at least 2). Null returns the size unchanged.</summary>
    public static (int Width, int Height) Scale(int width, int height, int? shortSide)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"size must be positive, got {width}x{height}");
        if (shortSide is null) return (width, height);
        int s = shortSide.Value;
        if (s < 2 || s % 2 != 0) throw new ArgumentOutOfRangeException(nameof(shortSide), $"short side must be an even number >= 2, got {s}");
        return width <= height
            ? (s, EvenNearest((double)height * s / width))
            : (EvenNearest((double)width * s / height), s);
    }

    private static int EvenNearest(double x) => Math.Max(2, 2 * (int)Math.Round(x / 2.0, MidpointRounding.AwayFromZero));
}
