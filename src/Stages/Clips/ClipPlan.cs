using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Sampling;
using CrossVideoMAE.Stages.Video;

namespace CrossVideoMAE.Stages.Clips;

/// <summary>One clip of a plan and the frames sampled from it.</summary>
public sealed record PlannedClip(SampledClip Clip, SampledFrames Frames);

/// <summary>
/// A probed video and what will be taken from it: the clips sampled from <see cref="VideoInfo.FrameCount"/>,
/// the frames sampled from each clip, and <see cref="Needed"/>, the distinct source frames they use (sorted),
/// which are all the decoder is asked for.
/// </summary>
public sealed record ClipPlan(VideoEntry Entry, VideoInfo Info, IReadOnlyList<PlannedClip> Clips, int[] Needed);
