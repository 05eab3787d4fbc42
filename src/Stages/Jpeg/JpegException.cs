namespace CrossVideoMAE.Stages.Jpeg;

/// <summary>A JPEG could not be encoded or decoded; the message says why (TurboJPEG's own message when it has one).</summary>
public sealed class JpegException(string message) : Exception(message);
