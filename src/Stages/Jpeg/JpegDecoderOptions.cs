namespace CrossVideoMAE.Stages.Jpeg;

public sealed record JpegDecoderOptions
{
    /// <summary>Largest width or height accepted; checked from the header before any pixel memory is allocated.</summary>
    public int MaxDimension { get; init; } = 16384;
    /// <summary>Largest width x height accepted.</summary>
    public long MaxPixels { get; init; } = 64L << 20;
    /// <summary>Treat libjpeg warnings (e.g. "Premature end of JPEG file") as errors, so a truncated JPEG is
    /// rejected instead of returned half grey.</summary>
    public bool Strict { get; init; } = true;
    /// <summary>libjpeg-turbo's fast integer inverse DCT (TJFLAG_FASTDCT): less accurate, fewer cycles.</summary>
    public bool FastDct { get; init; }
    /// <summary>Chroma upsampled by replication instead of libjpeg's smooth ("fancy") filter (TJFLAG_FASTUPSAMPLE).</summary>
    public bool FastUpsample { get; init; }

    /// <summary>Both fast settings (the train feed's decode): about a quarter less CPU per frame than the
    /// accurate decode, within the same distance of ffmpeg's decode (tests: mean abs diff under 3.5
    /// levels in RGB, under 0.75 in luma); pixels at sharp chroma edges differ from the accurate decode.</summary>
    public static JpegDecoderOptions Fast { get; } = new() { FastDct = true, FastUpsample = true };
}
