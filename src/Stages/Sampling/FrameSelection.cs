namespace CrossVideoMAE.Stages.Sampling;

/// <summary>How the frame sampler picks frames of a clip (the method's default and the ablations of its Table 9).</summary>
public enum FrameSelection
{
    /// <summary>Distinct positions drawn uniformly, returned in clip order.</summary>
    Random,
    /// <summary>The first n positions.</summary>
    First,
    /// <summary>n consecutive positions centred in the clip: start (T - n) / 2 (position 7 of 16 for n = 1).</summary>
    Middle,
}
