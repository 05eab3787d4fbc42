namespace CrossVideoMAE.Pipeline.Feed;

/// <summary>
/// One batch of a training job and where it sits in its epoch's data order: <see cref="Epoch"/>, the
/// global batch's <see cref="BatchIndex"/>, the position of this rank's first sample
/// (<see cref="FirstSample"/>) and how many samples this rank holds (<see cref="Size"/>). The trainer
/// (<c>Train/TrainingLoop</c>) needs no more than this to resume at the exact sample, count clips and
/// name batches in its metrics; what the batch holds is the step function's business.
/// </summary>
public interface ITrainingBatch : IDisposable
{
    int Epoch { get; }
    long BatchIndex { get; }
    long FirstSample { get; }
    long Size { get; }
}

/// <summary>
/// The data side of a training job: this rank's share of batches <c>startBatch .. startBatch + count - 1</c>
/// of an epoch, in order, depending only on (seed, epoch, batch index), so a resumed run sees the batches an
/// uninterrupted one would have. <see cref="TrainFeed"/> (clips from shards) and the linear probe's feature
/// batches are the two sources.
/// </summary>
public interface IBatchSource<out TBatch> where TBatch : ITrainingBatch
{
    /// <summary>What the source reads, for messages (e.g. the index path and its splits).</summary>
    string Name { get; }

    /// <summary>Samples in one epoch (all ranks).</summary>
    long Samples { get; }

    /// <summary>Samples in one global batch (over all ranks): a checkpoint's position is counted in them.</summary>
    int BatchSize { get; }

    /// <summary>Global batches in one epoch.</summary>
    long BatchesPerEpoch { get; }

    /// <summary>The caller owns (disposes) each batch; stopping the enumeration early frees what is in flight.</summary>
    IAsyncEnumerable<TBatch> EpochAsync(int epoch, long startBatch, long count, CancellationToken ct = default);
}
