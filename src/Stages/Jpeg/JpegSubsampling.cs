namespace CrossVideoMAE.Stages.Jpeg;

/// <summary>Chrominance subsampling, numbered as TurboJPEG's TJSAMP constants.</summary>
public enum JpegSubsampling
{
    /// <summary>A layout TurboJPEG does not name (TJSAMP_UNKNOWN).</summary>
    Unknown = -1,
    Chroma444 = 0,
    Chroma422 = 1,
    Chroma420 = 2,
    Gray = 3,
    Chroma440 = 4,
    Chroma411 = 5,
}
