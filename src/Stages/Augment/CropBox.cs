namespace CrossVideoMAE.Stages.Augment;

/// <summary>A rectangle of pixels: rows [Top, Top + Height), columns [Left, Left + Width).</summary>
public readonly record struct CropBox(int Top, int Left, int Height, int Width)
{
    public int Bottom => Top + Height;
    public int Right => Left + Width;
    public long Area => (long)Height * Width;

    /// <summary>True when the box lies inside an image of the given size and is not empty.</summary>
    public bool FitsIn(int height, int width) =>
        Height > 0 && Width > 0 && Top >= 0 && Left >= 0 && Bottom <= height && Right <= width;
}
