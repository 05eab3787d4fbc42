using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Dataflow;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Stages.Feed;
using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Feed;

/// <summary>
/// The pre-training feed, one TPL Dataflow graph per epoch:
/// <code>
/// shard reader (SampleOrder, SHA-256 checked, window of shards in memory; B rows at a time)
///   -> decode   (TransformBlock, MaxDegreeOfParallelism = decode threads, EnsureOrdered;
///                into the batch's uint8 tensors when its rows share one size, see BatchSlab)
///   -> batch    (BatchBlock, B samples)
///   -> collate  (nothing to do for a slab; else center-crop to the batch's min H, W and stack; see BatchCollate)
///   -> augment  (CrossVideoViewAugmenter on the training device, each sample's draws from
///                AugmentRandom.ForSample(seed, epoch, position), the mixing from ForBatch(seed, epoch, batch x W + rank))
///   -> output   (BufferBlock, BoundedCapacity = prefetch) -> the trainer
/// </code>
/// Every block is bounded, completion and faults propagate, and cancellation stops every block.
/// Whatever the graph holds when an epoch stops early (the trainer's last step, a fault, Ctrl+C) is
/// freed when the enumeration ends (<see cref="InFlight"/>).
/// The batches depend only on (seed, epoch, batch index): the order comes from
/// <see cref="SampleOrder"/>, decoding keeps order, and each sample's augmentation draws from its own
/// random source keyed by its position in the epoch (mixup/cutmix, which pair samples, draw once per
/// rank's batch). An epoch yields only full batches (the last partial batch is dropped).
/// With <see cref="FeedOptions.WorldSize"/> W &gt; 1 each rank's feed yields its share of every global
/// batch (<see cref="SampleOrder.RankShare"/>): the same samples, augmented the same, as the
/// one-rank feed's batch holds at those positions.
/// The view tensors of disposed batches are reused for later ones, across epochs, and so are the
/// uint8 input tensors the frames are decoded into (two <see cref="ViewBufferPool"/>s the feed
/// owns: dispose the feed to free them).
/// With <see cref="FeedOptions.Labelled"/> the feed yields fine-tuning batches: every row's label is
/// checked against the class count as it is read, each sample is expanded to
/// <see cref="FeedOptions.Repeats"/> rows and only u² and the soft targets are computed
/// (<see cref="CrossVideoViewAugmenter.ApplyStrongView"/>); see <see cref="FeedBatch"/>.
/// </summary>
public sealed class TrainFeed : IBatchSource<FeedBatch>, IDisposable
{
    private readonly string shardDirectory;
    private readonly CrossVideoViewAugmenter augmenter;
    private readonly ShortSideResize resize;
    private readonly ViewBufferPool buffers;
    private readonly ViewBufferPool inputs;

    public TrainFeed(string indexPath, ShardIndex index, FeedOptions options)
    {
        Options = options.Validate();
        Index = index.SelectSplits([.. options.Splits]);
        IndexPath = indexPath;
        shardDirectory = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        Order = new SampleOrder(Index.Shards.Select(s => s.Rows).ToList(), options.Seed, options.WindowShards);
        augmenter = new CrossVideoViewAugmenter(options.Augment);
        resize = new ShortSideResize(options.Augment.ShortSide);
        // Up to Prefetch batches queued, one being augmented and one being trained on, three views each.
        buffers = new ViewBufferPool(3 * (options.Prefetch + 2));
        // Clips and frames of up to two batches being decoded, one waiting and one being collated, one
        // waiting for and one in the augmentation.
        inputs = new ViewBufferPool(2 * 6);
    }

    public static async Task<TrainFeed> OpenAsync(string indexPath, FeedOptions options, CancellationToken ct = default) =>
        new(indexPath, await ShardIndexFile.LoadAsync(indexPath, ct).ConfigureAwait(false), options);

    public FeedOptions Options { get; }
    public ShardIndex Index { get; }
    public string IndexPath { get; }
    public SampleOrder Order { get; }

    /// <summary>The index and the splits read from it.</summary>
    public string Name => Options.Splits.Count == 0 ? IndexPath : $"{IndexPath} (split {string.Join(", ", Options.Splits)})";

    /// <summary>Samples in one epoch.</summary>
    public long Samples => Order.Total;

    /// <summary>Samples in one global batch (the ranks' shares together).</summary>
    public int BatchSize => Options.BatchSize;

    /// <summary>Full (global) batches in one epoch.</summary>
    public long BatchesPerEpoch => Order.Total / Options.BatchSize;

    /// <summary>
    /// Batches <paramref name="startBatch"/> .. startBatch + count - 1 of <paramref name="epoch"/>, in order.
    /// The caller owns (disposes) each batch. Stopping the enumeration early cancels the graph.
    /// </summary>
    public async IAsyncEnumerable<FeedBatch> EpochAsync(int epoch, long startBatch, long count, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (startBatch < 0 || count < 0 || startBatch + count > BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(count), $"batches {startBatch}..{startBatch + count} are outside the epoch's {BatchesPerEpoch}");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        int b = Options.LocalBatch;
        // libjpeg-turbo's fast IDCT and chroma upsampling: ~11% less decode CPU, and as close to ffmpeg's
        // decode of the same JPEGs as the accurate settings (JpegDecoderOptions.Fast, JpegTests).
        using var decoders = new ThreadLocal<ShardRowDecoder>(() => new ShardRowDecoder(JpegDecoderOptions.Fast), trackAllValues: true);
        var inFlight = new InFlight();

        var decode = new TransformBlock<(ShardRow Row, string Source, BatchSlab? Slab, int Slot), DecodedSample>(
            x =>
            {
                DecodedSample sample = decoders.Value!.Decode(x.Row, x.Source, x.Slab, x.Slot);
                return inFlight.Hold(sample, sample.Dispose);
            },
            new ExecutionDataflowBlockOptions
            {
                MaxDegreeOfParallelism = Options.DecodeThreads, EnsureOrdered = true,
                BoundedCapacity = 2 * Options.DecodeThreads, CancellationToken = cts.Token,
            });
        var batch = new BatchBlock<DecodedSample>(b, new GroupingDataflowBlockOptions { BoundedCapacity = b, CancellationToken = cts.Token });
        var collate = new TransformBlock<DecodedSample[], Collated>(
            samples =>
            {
                try
                {
                    (Tensor clips, Tensor frames, Tensor positions) = BatchCollate.Stack(samples);
                    BatchSlab? slab = samples[0].Slab;
                    long[]? labels = Options.Labelled ? samples.Select(s => (long)s.Label).ToArray() : null;
                    var collated = new Collated(clips, frames, positions, labels, FromPool: slab is not null);
                    inFlight.Hold(collated, () => ReleaseInputs(collated));
                    if (slab is not null) inFlight.LetGo(slab);   // its tensors are the collated batch's now
                    return collated;
                }
                finally
                {
                    foreach (DecodedSample s in samples)
                    {
                        inFlight.LetGo(s);
                        s.Dispose();
                    }
                }
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = 1, CancellationToken = cts.Token });
        long next = startBatch;
        var augment = new TransformBlock<Collated, FeedBatch>(
            x =>
            {
                inFlight.LetGo(x);
                FeedBatch augmented = Augment(epoch, next++, x);
                return inFlight.Hold(augmented, augmented.Dispose);
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = 1, CancellationToken = cts.Token });
        var output = new BufferBlock<FeedBatch>(new DataflowBlockOptions { BoundedCapacity = Options.Prefetch, CancellationToken = cts.Token });

        var link = new DataflowLinkOptions { PropagateCompletion = true };
        decode.LinkTo(batch, link);
        batch.LinkTo(collate, link);
        collate.LinkTo(augment, link);
        augment.LinkTo(output, link);

        Task producer = ProduceAsync(decode, inFlight, epoch, startBatch, count, cts.Token);
        bool finished = false;
        try
        {
            while (await output.OutputAvailableAsync(cts.Token).ConfigureAwait(false))
                if (output.TryReceive(out FeedBatch? item))
                {
                    inFlight.LetGo(item);   // the caller owns it now
                    yield return item;
                }
            await producer.ConfigureAwait(false);
            try { await output.Completion.ConfigureAwait(false); }
            catch (AggregateException e) { ExceptionDispatchInfo.Throw(Innermost(e)); }
            finished = true;
        }
        finally
        {
            if (!finished)
            {
                // Stop every block, take what the output still holds, then wait for the graph to wind down
                // (a cancelled block may still be finishing the item it was working on). Cancelled and
                // faulted blocks drop what they buffer; InFlight frees it below.
                cts.Cancel();
                if (output.TryReceiveAll(out IList<FeedBatch>? left))
                    foreach (FeedBatch x in left)
                    {
                        inFlight.LetGo(x);
                        x.Dispose();
                    }
                foreach (Task t in new[] { producer, decode.Completion, batch.Completion, collate.Completion, augment.Completion, output.Completion })
                {
                    try { await t.ConfigureAwait(false); }
                    catch (Exception) { /* cancelled or faulted: the outcome no longer matters */ }
                }
            }
            // Whatever the graph still held (slabs, samples, batches) is freed here, not by finalisers.
            inFlight.ReleaseAll();
            foreach (ShardRowDecoder d in decoders.Values) d.Dispose();
        }
    }

    // A fault travels through the linked blocks wrapped once per block; report the original.
    private static Exception Innermost(AggregateException e)
    {
        Exception x = e;
        while (x is AggregateException { InnerExceptions.Count: 1 } a) x = a.InnerExceptions[0];
        return x;
    }

    // Reads the rows of `batches` batches, B at a time, and sends each with the slab its batch decodes into (if any).
    private async Task ProduceAsync(ITargetBlock<(ShardRow, string, BatchSlab?, int)> target, InFlight inFlight, int epoch, long startBatch, long batches, CancellationToken ct)
    {
        var reader = new ShardWindowReader(shardDirectory, Index.Shards, Options.WindowShards);
        int b = Options.LocalBatch;
        var rows = new List<(ShardRow Row, string Source)>(b);
        try
        {
            foreach ((int shard, long row, long _) in Order.RankShare(epoch, Options.Rank, Options.WorldSize, Options.BatchSize, startBatch).Take(checked((int)(batches * b))))
            {
                rows.Add((await reader.GetAsync(shard, row, ct).ConfigureAwait(false), reader.PathOf(shard)));
                if (Options.Labelled) CheckLabel(rows[^1].Row, rows[^1].Source);
                if (rows.Count < b) continue;
                BatchSlab? slab = BatchSlab.ForRows(rows.Select(x => x.Row).ToList(), inputs);
                if (slab is not null) inFlight.Hold(slab, () => { inputs.Return(slab.Clips); inputs.Return(slab.Frames); });
                for (int i = 0; i < rows.Count; i++)
                    if (!await target.SendAsync((rows[i].Row, rows[i].Source, slab, i), ct).ConfigureAwait(false)) return;
                rows.Clear();
            }
            target.Complete();
        }
        catch (Exception e)
        {
            target.Fault(e);
            throw;
        }
    }

    // A label outside [0, classes) would index past the soft targets: refuse it, naming the row.
    private void CheckLabel(ShardRow row, string source)
    {
        int classes = Options.Augment.NumClasses;
        if (row.Label < 0 || row.Label >= classes)
            throw new InvalidDataException($"{source}: video '{row.VideoId}' has label {row.Label}, outside the {classes} classes [0, {classes})");
    }

    // A collated batch on its way to the augmentation: clips [B, T, h, w, 3], frames [B, n, h, w, 3]
    // uint8 (CPU; a slab's tensors from the input pool, or stacked for this batch alone), frame positions [B, n] int64,
    // the samples' labels [B] in a labelled feed.
    private sealed record Collated(Tensor Clips, Tensor Frames, Tensor Positions, long[]? Labels, bool FromPool);

    // A slab's tensors go back to the input pool for the next batch of that size; stacked ones (sized by
    // their batch's smallest clip) would only fill it with shapes no slab asks for, so they are freed.
    private void ReleaseInputs(Collated x)
    {
        if (x.FromPool)
        {
            inputs.Return(x.Clips);
            inputs.Return(x.Frames);
        }
        else
        {
            x.Clips.Dispose();
            x.Frames.Dispose();
        }
        x.Positions.Dispose();
    }

    // A collated batch -> the augmented views on the device; the inputs go back to the pool.
    private FeedBatch Augment(int epoch, long batchIndex, Collated x)
    {
        Tensor clips = x.Clips, frames = x.Frames, positions = x.Positions;
        using var scope = torch.NewDisposeScope();
        try
        {
            Tensor c = clips.to(Options.Device);
            long first = batchIndex * Options.BatchSize + (long)Options.Rank * Options.LocalBatch;
            AugmentRandom mix = AugmentRandom.ForBatch(Options.Seed, epoch, batchIndex * Options.WorldSize + Options.Rank);
            if (Options.Labelled) return AugmentLabelled(epoch, batchIndex, first, mix, c, x);
            Tensor f = frames.to(Options.Device);
            AugmentRandom[] samples = Enumerable.Range(0, Options.LocalBatch).Select(i => AugmentRandom.ForSample(Options.Seed, epoch, first + i)).ToArray();
            AugmentedViews views = augmenter.Apply(c, f, labels: null, mix, samples, buffers);
            Tensor p = positions.to(Options.Device);
            return new FeedBatch(epoch, first, batchIndex,
                views.U1.DetachFromDisposeScope(), views.U2.DetachFromDisposeScope(), views.Frames.DetachFromDisposeScope(), p.DetachFromDisposeScope(),
                buffers);
        }
        finally
        {
            ReleaseInputs(x);
        }
    }

    // Labelled: clips c [B, T, h, w, 3] on the device -> u2 [B*R, 3, T, S, S] and targets [B*R, K]. Row j is
    // copy j % R of sample j / R, drawn from ForSample(seed, epoch, (first + j / R) * R + j % R) (with R = 1 the
    // pre-training feed's first + j); the frames' draws are made (and dropped) to keep every source's sequence.
    private FeedBatch AugmentLabelled(int epoch, long batchIndex, long first, AugmentRandom mix, Tensor c, Collated x)
    {
        int r = Options.Repeats, b = Options.LocalBatch, rows = b * r;
        // Resized once per clip, not once per copy (the augmenter's own resize then finds the size done;
        // nothing is resized when the shards were prepared at the short side).
        Tensor resized = resize.Apply(c);                                                          // [B, T, H', W', 3]
        Tensor clips = r == 1 ? resized : resized.repeat_interleave(r, 0);                       // [B*R, T, H', W', 3]
        long[] labels = Enumerable.Range(0, rows).Select(j => x.Labels![j / r]).ToArray();
        Tensor l = torch.tensor(labels, rows).to(Options.Device);                                 // [B*R]
        AugmentRandom[] draws = Enumerable.Range(0, rows)
            .Select(j => AugmentRandom.ForSample(Options.Seed, epoch, (first + j / r) * r + j % r)).ToArray();
        StrongView view = augmenter.ApplyStrongView(clips, l, mix, draws, frameCount: (int)x.Frames.size(1), buffers);
        return FeedBatch.Labelled(epoch, first, batchIndex, b, view.U2.DetachFromDisposeScope(), view.Targets!.DetachFromDisposeScope(), buffers);
    }

    /// <summary>Frees the kept view and input tensors; batches still out free theirs when disposed.</summary>
    public void Dispose()
    {
        buffers.Dispose();
        inputs.Dispose();
    }
}
