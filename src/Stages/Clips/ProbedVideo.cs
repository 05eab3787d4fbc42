using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Stages.Clips;

/// <summary>The probe stage's result for one input: its plan, or why it is quarantined.</summary>
public sealed record ProbedVideo(int Ordinal, VideoEntry Entry, ClipPlan? Plan, QuarantineEntry? Quarantined);
