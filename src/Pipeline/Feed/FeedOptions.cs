using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Stages.Feed;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Feed;

/// <summary>
/// How the train feed runs: <see cref="BatchSize"/> samples per batch, <see cref="DecodeThreads"/>
/// JPEG decoders in parallel, at most <see cref="Prefetch"/> finished batches held ahead of the
/// trainer, the rows of at most <see cref="WindowShards"/> shards in memory (also the shuffle
/// window of <see cref="SampleOrder"/>), the augmentation and the device it runs on.
/// With <see cref="WorldSize"/> ranks, <see cref="BatchSize"/> is the global batch and this rank's
/// feed yields its <see cref="LocalBatch"/> = BatchSize / WorldSize samples of each global batch
/// (<see cref="SampleOrder.RankShare"/>).
/// <see cref="Labelled"/> switches the feed to fine-tuning batches (u² and soft targets only, each
/// sample <see cref="Repeats"/> times; see <see cref="FeedBatch"/>).
/// </summary>
public sealed record FeedOptions(int BatchSize, AugmentConfig Augment, ulong Seed)
{
    public int DecodeThreads { get; init; } = 2;
    public int Prefetch { get; init; } = 2;
    public int WindowShards { get; init; } = 4;
    public Device Device { get; init; } = Device.CPU;
    public int Rank { get; init; }
    public int WorldSize { get; init; } = 1;
    public int LocalBatch => BatchSize / WorldSize;
    /// <summary>Splits read from the index (selected by name from index.json, no shard is read to find them); empty: every split.</summary>
    public IReadOnlyList<string> Splits { get; init; } = [];
    /// <summary>
    /// Fine-tuning batches: labels checked against <see cref="AugmentConfig.NumClasses"/>, only the
    /// strongly augmented view u² and the soft targets computed
    /// (<see cref="CrossVideoViewAugmenter.ApplyStrongView"/>); no u¹, no sampled frames.
    /// </summary>
    public bool Labelled { get; init; }
    /// <summary>Repeated augmentation (labelled only): each sample enters the batch this many times,
    /// copies next to each other, each copy augmented from its own random source.</summary>
    public int Repeats { get; init; } = 1;

    public FeedOptions Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {BatchSize}");
        if (WorldSize < 1 || Rank < 0 || Rank >= WorldSize) throw new ArgumentException($"rank {Rank} of {WorldSize} ranks is not a valid rank");
        if (BatchSize % WorldSize != 0)
            throw new ArgumentException($"optim.batch_size {BatchSize} (the global batch) must be a multiple of the {WorldSize} ranks");
        if (DecodeThreads < 1) throw new ArgumentException($"decode threads must be at least 1, got {DecodeThreads}");
        if (Prefetch < 1) throw new ArgumentException($"prefetch must be at least 1, got {Prefetch}");
        if (WindowShards < 1) throw new ArgumentException($"the shard window must be at least 1, got {WindowShards}");
        if (Repeats < 1) throw new ArgumentException($"repeated augmentation must be at least 1, got {Repeats}");
        if (Repeats > 1 && !Labelled) throw new ArgumentException($"repeated augmentation ({Repeats}) needs the labelled (fine-tuning) feed");
        if (Labelled && Augment.NumClasses < 1)
            throw new ArgumentException($"the labelled feed needs the class count (AugmentConfig.NumClasses >= 1), got {Augment.NumClasses}");
        Augment.Validate();
        return this;
    }
}
