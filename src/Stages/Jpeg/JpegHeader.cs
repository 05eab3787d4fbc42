namespace CrossVideoMAE.Stages.Jpeg;

/// <summary>What a JPEG's header says, read without decoding the pixels.</summary>
public sealed record JpegHeader(int Width, int Height, JpegSubsampling Subsampling);
