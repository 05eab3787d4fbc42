using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Stages.Clips;

/// <summary>The decode stage's result for one input: the plan the frames were decoded for (it may have been sampled
/// again from a recounted frame count) and its JPEG frames, or why it is quarantined.</summary>
public sealed record DecodedVideo(int Ordinal, VideoEntry Entry, ClipPlan? Plan, EncodedFrames? Frames, QuarantineEntry? Quarantined);
