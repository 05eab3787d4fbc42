using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Objective;

/// <summary>A contrastive term as the mean over its enabled levels (video u, frame f).</summary>
internal static class LevelMean
{
    public static Tensor Of(Tensor? video, Tensor? frame) => (video, frame) switch
    {
        (not null, not null) => (video + frame) / 2,
        (not null, null) => video.alias(),
        (null, not null) => frame.alias(),
        _ => throw new ArgumentException("a contrastive term needs at least one level (video or frame)"),
    };
}
