namespace CrossVideoMAE.Stages.SampleData;

/// <summary>A class of the sample dataset: one kind of motion of a box over a textured background,
/// with the names each annotation format uses for it.</summary>
public sealed record MotionClass(string Name, string KineticsLabel, string Ssv2Template, MotionKind Kind)
{
    /// <summary>All classes, in the order <c>--classes N</c> takes them.</summary>
    public static readonly IReadOnlyList<MotionClass> All =
    [
        new("moving_left", "moving left", "Moving [something] from right to left", MotionKind.Left),
        new("moving_right", "moving right", "Moving [something] from left to right", MotionKind.Right),
        new("moving_up", "moving up", "Moving [something] up", MotionKind.Up),
        new("moving_down", "moving down", "Moving [something] down", MotionKind.Down),
        new("growing", "growing", "Approaching [something] with your camera", MotionKind.Grow),
        new("shrinking", "shrinking", "Moving away from [something] with your camera", MotionKind.Shrink),
    ];
}

public enum MotionKind { Left, Right, Up, Down, Grow, Shrink }
