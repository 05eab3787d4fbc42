using CrossVideoMAE.Stages.Video;

namespace CrossVideoMAE.Stages.SampleData;

/// <summary>
/// One file of the broken-input set and what the prepare graph must do with it, with the default
/// stages (<see cref="VideoProbe"/>, <see cref="VideoDecoder"/> at short side 256, a Kinetics clip of
/// 16 frames with stride 4). <see cref="FailingStage"/>/<see cref="Failure"/> are null when the file
/// must go through; then <see cref="DisplaySize"/> is the probe's display size, <see cref="DecodedSize"/>
/// the decoder's output size and <see cref="Padded"/> whether the clip repeats its last frame.
/// <see cref="PrepareRecounts"/> marks a file the stages fail on as given while prepare still gives its clip: the
/// container over-reports its frames, so prepare counts them by decoding and samples from the frames that exist
/// (<see cref="Padded"/> then describes that clip).
/// </summary>
public sealed record BrokenInput(
    string Name,
    string Path,
    string Description,
    string? FailingStage,
    VideoFailure? Failure,
    (int Width, int Height)? DisplaySize = null,
    (int Width, int Height)? DecodedSize = null,
    bool Padded = false,
    bool VariableFrameRate = false,
    int Rotation = 0,
    bool PrepareRecounts = false)
{
    public bool ShouldFail => FailingStage is not null;
    /// <summary>True when prepare quarantines the file (the stages fail and prepare cannot recover).</summary>
    public bool PrepareQuarantines => ShouldFail && !PrepareRecounts;
}
