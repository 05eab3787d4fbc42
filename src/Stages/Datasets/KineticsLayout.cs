namespace CrossVideoMAE.Stages.Datasets;

/// <summary>
/// Where Kinetics videos lie under the video root. The file name is always
/// <c>&lt;youtube_id&gt;_&lt;time_start:06&gt;_&lt;time_end:06&gt;.&lt;ext&gt;</c>; the folders vary:
/// the CVDF tarballs unpack flat per split (<see cref="Split"/>), the ActivityNet crawler writes one
/// folder per label (<see cref="Label"/>, or <see cref="SplitLabel"/> when run per split), and many
/// tools replace the spaces of label folders with underscores (the *Underscore variants).
/// </summary>
public enum KineticsLayout
{
    /// <summary>Try the layouts below in order on the rows until a file is found, then use that one for all rows.</summary>
    Auto,
    SplitLabel,
    SplitLabelUnderscore,
    Label,
    LabelUnderscore,
    Split,
    Flat,
}
