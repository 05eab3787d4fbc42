using System.Runtime.CompilerServices;
using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Stages.Sampling;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>A batch of precomputed clip features: X [b, D] float32 and labels Y [b] int64, on the head's device.</summary>
public sealed class FeatureBatch(int epoch, long batchIndex, long firstSample, Tensor x, Tensor y) : ITrainingBatch
{
    public int Epoch { get; } = epoch;
    public long BatchIndex { get; } = batchIndex;
    public long FirstSample { get; } = firstSample;
    public Tensor X { get; } = x;
    public Tensor Y { get; } = y;
    public long Size => X.size(0);

    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
    }
}

/// <summary>
/// The linear probe's batch source: features [N, D] and labels [N] held in memory, each epoch in a
/// permutation drawn from (seed, epoch) alone (so an epoch's batches do not depend on the epochs before),
/// cut into batches of <see cref="BatchSize"/>; the last batch of an epoch holds what is left.
/// </summary>
public sealed class FeatureBatchSource : IBatchSource<FeatureBatch>, IDisposable
{
    private readonly Tensor features;   // [N, D] float32
    private readonly Tensor labels;     // [N] int64
    private readonly ulong seed;

    public FeatureBatchSource(Tensor features, IReadOnlyList<int> labels, int batchSize, ulong seed, Device device)
    {
        long n = features.size(0);
        if (n != labels.Count || n == 0) throw new ArgumentException($"{n} feature rows but {labels.Count} labels");
        if (batchSize < 1) throw new ArgumentException($"the probe's batch must be at least 1, got {batchSize}");
        this.features = features.to(device, ScalarType.Float32);
        this.labels = torch.tensor(labels.Select(l => (long)l).ToArray(), [n]).to(device);
        BatchSize = batchSize;
        this.seed = seed;
    }

    public int BatchSize { get; }
    public string Name => "the probe's features";
    public long Rows => features.size(0);
    public long Samples => Rows;
    public long BatchesPerEpoch => (Rows + BatchSize - 1) / BatchSize;

    public async IAsyncEnumerable<FeatureBatch> EpochAsync(int epoch, long startBatch, long count, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        using var generator = new Generator(StableHash.Derive(seed, "linprobe", epoch, "order"));
        using Tensor order = torch.randperm(Rows, generator).to(features.device);                        // [N]
        for (long b = startBatch; b < startBatch + count && b < BatchesPerEpoch; b++)
        {
            ct.ThrowIfCancellationRequested();
            long first = b * BatchSize;
            using Tensor idx = order.narrow(0, first, Math.Min(BatchSize, Rows - first));                 // [b]
            yield return new FeatureBatch(epoch, b, first, features.index_select(0, idx), labels.index_select(0, idx));
        }
    }

    public void Dispose()
    {
        features.Dispose();
        labels.Dispose();
    }
}
