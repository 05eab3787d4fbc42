namespace CrossVideoMAE.Stages.Shards;

/// <summary>The shape fixed for every row of a dataset's shards: frames per clip and sampled
/// frames per clip (n). It decides the frame_NN and sampled_K columns.</summary>
public sealed record ShardLayout
{
    public const int MaxClipLength = 100;

    public ShardLayout(int clipLength = 16, int sampledFrames = 1)
    {
        if (clipLength is < 1 or > MaxClipLength)
            throw new ArgumentOutOfRangeException(nameof(clipLength), clipLength, $"clip length must be 1..{MaxClipLength}");
        if (sampledFrames < 1 || sampledFrames > clipLength)
            throw new ArgumentOutOfRangeException(nameof(sampledFrames), sampledFrames, "sampled frames must be 1..clip length");
        ClipLength = clipLength;
        SampledFrames = sampledFrames;
    }

    public int ClipLength { get; }

    public int SampledFrames { get; }

    public static ShardLayout Default { get; } = new();
}
