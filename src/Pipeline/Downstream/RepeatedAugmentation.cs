using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// Repeated augmentation (fine-tuning recipe, "repeated augmentation 2"): every clip of a batch enters
/// the step <c>Count</c> times, each copy augmented on its own, so one decoded batch of B clips trains as
/// B x Count samples. Copies sit next to each other: rows i*Count .. i*Count+Count-1 come from clip i.
/// </summary>
public static class RepeatedAugmentation
{
    // clips [B, T, H, W, 3], frames [B, n, H, W, 3], labels [B] -> the same with B*count rows
    public static (Tensor Clips, Tensor Frames, Tensor Labels) Expand(Tensor clips, Tensor frames, Tensor labels, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"repeated augmentation must be at least 1 (got {count})");
        return (clips.repeat_interleave(count, 0), frames.repeat_interleave(count, 0), labels.repeat_interleave(count, 0));
    }
}
