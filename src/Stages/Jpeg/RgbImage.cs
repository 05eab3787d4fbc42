namespace CrossVideoMAE.Stages.Jpeg;

/// <summary>A packed RGB24 image, row-major <c>[Height, Width, 3]</c>.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    public int ByteCount => Width * Height * 3;
}
