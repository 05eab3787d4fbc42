using System.Runtime.CompilerServices;
using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Stages.Feed;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>A batch of decoded training clips: Clips [B, T, H, W, 3] and Frames [B, n, H, W, 3] uint8, Labels [B] int64.</summary>
public sealed class DecodedBatch(Tensor clips, Tensor frames, Tensor labels) : IDisposable
{
    public Tensor Clips { get; } = clips;
    public Tensor Frames { get; } = frames;
    public Tensor Labels { get; } = labels;
    public long Count => Clips.size(0);

    public void Dispose()
    {
        Clips.Dispose();
        Frames.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Labelled training clips of one split in a shuffled order for supervised fine-tuning: shards and
/// their row groups visited in an order drawn from (seed, epoch), rows passed through a bounded
/// shuffle buffer, decoded and stacked. Memory stays bounded by one row group plus the buffer.
/// Rows of another frame size than the batch being built start a new batch (stacking needs one size).
/// </summary>
public sealed class TrainClipStream(LabelledClipLoader loader, string split, int batchSize, int shuffleBuffer = 256)
{
    public async IAsyncEnumerable<DecodedBatch> EpochAsync(ulong seed, long epoch, [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var decoder = new ShardRowDecoder();
        await foreach (IReadOnlyList<(ShardRow Row, string Source)> rows in EpochRowsAsync(seed, epoch, ct).ConfigureAwait(false))
            yield return Decode(rows, decoder);
    }

    /// <summary>
    /// The batches of an epoch as rows, not yet decoded (so a data-parallel rank decodes only its own
    /// batches and a resumed run skips batches cheaply): the order depends only on (seed, epoch) and the
    /// batch size; a batch ends early where the frame size or the sampled-frame count changes.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<(ShardRow Row, string Source)>> EpochRowsAsync(ulong seed, long epoch, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var random = new Random(unchecked((int)(seed * 1_000_003UL + (ulong)epoch * 7919UL)));
        var buffer = new List<(ShardRow row, string source)>();
        var pending = new List<(ShardRow Row, string Source)>();
        ShardInfo[] shards = loader.Index.SelectSplits(split).Shards.ToArray();
        random.Shuffle(shards);
        foreach (ShardInfo shard in shards)
        {
            await using ShardReader reader = await ShardReader.OpenAsync(loader.ShardDirectory, shard, ct).ConfigureAwait(false);
            int[] groups = Enumerable.Range(0, reader.RowGroupCount).ToArray();
            random.Shuffle(groups);
            foreach (int g in groups)
                foreach (ShardRow row in await reader.ReadRowGroupAsync(g, ct).ConfigureAwait(false))
                {
                    if (row.Split != split) continue;
                    buffer.Add((row, reader.Path));
                    if (buffer.Count < shuffleBuffer) continue;
                    var b = Push(TakeRandom(buffer, random), pending);
                    if (b is not null) yield return b;
                }
        }
        while (buffer.Count > 0)
        {
            var b = Push(TakeRandom(buffer, random), pending);
            if (b is not null) yield return b;
        }
        if (pending.Count > 0) yield return pending.ToList();
    }

    private static (ShardRow row, string source) TakeRandom(List<(ShardRow, string)> buffer, Random random)
    {
        int i = random.Next(buffer.Count);
        var item = buffer[i];
        buffer[i] = buffer[^1];
        buffer.RemoveAt(buffer.Count - 1);
        return item;
    }

    // Adds a row to the batch being built; returns a finished batch when one is complete.
    private List<(ShardRow Row, string Source)>? Push((ShardRow row, string source) item, List<(ShardRow Row, string Source)> pending)
    {
        if (item.row.Label < 0 || item.row.Label >= loader.NumClasses)
            throw new InvalidDataException($"{item.source}: video '{item.row.VideoId}' has label {item.row.Label}, outside the index's {loader.NumClasses} classes");
        List<(ShardRow, string)>? finished = null;
        if (pending.Count > 0 && (pending[0].Row.Height != item.row.Height || pending[0].Row.Width != item.row.Width
                                  || pending[0].Row.SampledFrames.Count != item.row.SampledFrames.Count))
        {
            finished = pending.ToList();
            pending.Clear();
        }
        pending.Add(item);
        if (finished is null && pending.Count >= batchSize)
        {
            finished = pending.ToList();
            pending.Clear();
        }
        return finished;
    }

    /// <summary>Decodes and stacks one batch of rows.</summary>
    public static DecodedBatch Decode(IReadOnlyList<(ShardRow Row, string Source)> rows, ShardRowDecoder decoder)
    {
        var samples = new List<DecodedSample>(rows.Count);
        try
        {
            foreach (var (row, source) in rows) samples.Add(decoder.Decode(row, source));
            Tensor clips = torch.stack(samples.Select(s => s.Clip).ToArray(), 0).DetachFromDisposeScope();     // [B, T, H, W, 3]
            Tensor frames = torch.stack(samples.Select(s => s.Frames).ToArray(), 0).DetachFromDisposeScope();  // [B, n, H, W, 3]
            Tensor labels = torch.tensor(samples.Select(s => (long)s.Label).ToArray(), [samples.Count]).DetachFromDisposeScope(); // [B]
            return new DecodedBatch(clips, frames, labels);
        }
        finally
        {
            foreach (DecodedSample s in samples) s.Dispose();
        }
    }
}
