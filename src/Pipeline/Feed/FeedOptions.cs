using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Feed;

/// <summary>
/// How the train feed runs: <see cref="BatchSize"/> samples per batch, <see cref="DecodeThreads"/>
/// JPEG decoders in parallel, at most <see cref="Prefetch"/> finished batches held ahead of the
/// trainer, the rows of at most <see cref="WindowShards"/> shards in memory (also the shuffle
/// window of <see cref="Train.SampleOrder"/>), the augmentation and the device it runs on.
/// </summary>
public sealed record FeedOptions(int BatchSize, AugmentConfig Augment, ulong Seed)
{
    public int DecodeThreads { get; init; } = 2;
    public int Prefetch { get; init; } = 2;
    public int WindowShards { get; init; } = 4;
    public Device Device { get; init; } = Device.CPU;
    /// <summary>Splits read from the index (selected by name from index.json, no shard is read to find them); empty: every split.</summary>
    public IReadOnlyList<string> Splits { get; init; } = [];

    public FeedOptions Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {BatchSize}");
        if (DecodeThreads < 1) throw new ArgumentException($"decode threads must be at least 1, got {DecodeThreads}");
        if (Prefetch < 1) throw new ArgumentException($"prefetch must be at least 1, got {Prefetch}");
        if (WindowShards < 1) throw new ArgumentException($"the shard window must be at least 1, got {WindowShards}");
        Augment.Validate();
        return this;
    }
}
