namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Frames from <see cref="VideoDecoder"/>, in the order they were requested. Each frame is packed
/// RGB24, row-major, <c>[Height, Width, 3]</c> (Height*Width*3 bytes). A source index requested
/// twice (a padded clip) yields the same array instance twice: treat the arrays as read-only.
/// </summary>
public sealed record DecodedFrames(int Width, int Height, IReadOnlyList<int> FrameIndices, IReadOnlyList<byte[]> Frames)
{
    public int FrameBytes => Width * Height * 3;
}
