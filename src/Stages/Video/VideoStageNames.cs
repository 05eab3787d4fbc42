namespace CrossVideoMAE.Stages.Video;

/// <summary>Stage names carried by <see cref="VideoInputException"/> so a quarantine list says where an input failed.</summary>
public static class VideoStageNames
{
    public const string Probe = "probe";
    public const string Decode = "decode";
}
