using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Stages.Clips;

/// <summary>What became of one input video: its clip rows, or the quarantine entry saying why not.
/// Every input ends in exactly one of the two.</summary>
public sealed record VideoOutcome(int Ordinal, VideoEntry Entry, IReadOnlyList<ShardRow> Rows, QuarantineEntry? Quarantined);
