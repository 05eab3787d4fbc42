namespace CrossVideoMAE.Stages.Sampling;

public enum ClipSamplingMode
{
    /// <summary>T frames <c>stride</c> apart from a start frame (MAE-ST / VideoMAE on Kinetics).</summary>
    Strided,
    /// <summary>The video split into T equal segments, one frame from each (TSN style, used by SSv2 recipes):
    /// a random frame of the segment in training, the middle one in evaluation.</summary>
    Segments,
}
