using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CrossVideoMAE.Model.Checkpoints;
using CrossVideoMAE.Model.Checkpoints.KeyMaps;
using CrossVideoMAE.Model.Checkpoints.Training;
using CrossVideoMAE.Model.Masking;
using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.Model.Optimization;
using CrossVideoMAE.Model;
using CrossVideoMAE.Pipeline.Config;
using CrossVideoMAE.Pipeline.Feed;
using CrossVideoMAE.Pipeline.Train.Distributed;
using CrossVideoMAE.Stages.Feed;
using CrossVideoMAE.Stages.Sampling;
using CrossVideoMAE.Torch.IO;
using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Train;

/// <summary>
/// One `cvmae pretrain` run: the CrossVideoMAE objective on batches from <see cref="TrainFeed"/>,
/// AdamW (<see cref="OptimizerFactory.Pretraining"/>: weight decay split, betas from the
/// config), lr = base_lr x (batch x accum) / 256 with linear warmup over warmup_epochs and a
/// half-cycle cosine per optimiser step, gradient accumulation, optional clipping, bf16 autocast
/// (run.bf16: torch.autocast on the run's device; the losses are computed in float32 by the model).
/// <para>Determinism: the weights come from the seed, the data order and augmentation from
/// (seed, epoch, batch), and each micro-batch's masks from a generator seeded with
/// (seed, epoch, batch). A checkpoint stores the weights, the AdamW moments and the position
/// (epoch, next sample), so a resumed run continues with exactly the batches and masks an
/// uninterrupted run would have used.</para>
/// <para>Test-time adaptation (<see cref="PretrainOptions.TtaSteps"/> = K &gt; 0): start from the
/// given weights, go once through the manifest's data in the epoch-0 order; on each batch take K
/// AdamW steps of the same objective (same views, new masks each step, no accumulation) at the
/// constant lr base_lr x batch / 256; the adaptation carries over from batch to batch. The adapted
/// weights are written like a pre-training run's.</para>
/// <para>Data parallel (<see cref="PretrainOptions.Group"/> of W ranks): optim.batch_size is the global
/// batch; each rank trains on its share of every global batch (<see cref="SampleOrder.RankShare"/>),
/// each sample's augmentation and masks are keyed by (seed, epoch, position in the epoch), the
/// contrastive terms see the global batch (<see cref="RankBatchGather"/>) and the gradients are
/// averaged across ranks after the backward pass (<see cref="GradientAverager"/>), so a step computes
/// the loss and the gradient of the one-rank run. Every rank checks that the others resolved the same
/// config; rank 0 alone writes the files below; every rank resumes from the same checkpoint.</para>
/// Writes into the output folder: config.resolved.yaml, metrics.jsonl (one record per step),
/// checkpoints/ckpt-*.safetensors, model.safetensors (full model state) and
/// video_encoder.safetensors (the encoder in MAE/timm names, loadable by PyTorch).
/// </summary>
public sealed class PretrainRun(PretrainSettings settings, PretrainOptions options, TextWriter log)
{
    public const string MetricsFile = "metrics.jsonl", ResolvedConfigFile = "config.resolved.yaml",
        CheckpointFolder = "checkpoints", ModelFile = "model.safetensors", VideoEncoderFile = "video_encoder.safetensors";

    // Freed tensor memory stays in the process for reuse; over hundreds of steps the heap fragments
    // and the resident size creeps up. Handing the free pages back this often keeps it flat
    // (bench/pretrain-rss.sh) for one round of page faults per interval.
    private const int ReleaseMemoryEvery = 100;

    public async Task<PretrainSummary> RunAsync(Action<StepReport>? onStep = null, CancellationToken ct = default)
    {
        settings.Validate();
        if (options.TtaSteps < 0) throw new ArgumentException($"--tta-steps must not be negative, got {options.TtaSteps}");
        bool tta = options.TtaSteps > 0;
        if (tta && options.Resume) throw new ArgumentException("--tta-steps and --resume cannot be combined");
        if (tta && options.InitVideo is null && options.InitModel is null)
            throw new ArgumentException("--tta-steps adapts pre-trained weights: give --init-video or --init-model");
        if (settings.Run.Threads > 0 && Environment.GetEnvironmentVariable("CVMAE_THREADS") is null) torch.set_num_threads(settings.Run.Threads);

        ModelConfig mc = settings.ToModelConfig();
        var lossFn = new CrossVideoMaeLoss(settings.ToLossConfig(), mc);
        Device device = Device.Parse(settings.Run.Device);
        if (device.Type == DeviceType.CUDA && device.Index < 0 && options.Group.WorldSize > 1) device = Device.CUDA(options.LocalRank);
        ulong seed = settings.Run.Seed;
        int b = settings.Optim.BatchSize, accum = tta ? 1 : settings.Optim.AccumSteps;
        IRankGroup group = options.Group;
        bool writer = group.Rank == 0;
        string configJson = JsonSerializer.Serialize(settings);
        ConfigAgreement.Check(group, $"{configJson}\nmax_steps={options.MaxSteps}\ntta_steps={options.TtaSteps}\nresume={options.Resume}\ninit={Path.GetFileName(options.InitModel)}|{Path.GetFileName(options.InitVideo)}|{Path.GetFileName(options.InitImage)}");

        Directory.CreateDirectory(options.OutDir);
        if (writer) AtomicText.Write(Path.Combine(options.OutDir, ResolvedConfigFile), StrictYaml.Serialize(settings));

        using var feed = await TrainFeed.OpenAsync(options.ManifestPath, new FeedOptions(b, settings.ToAugmentConfig(), seed)
        {
            DecodeThreads = settings.Run.DecodeThreads, Prefetch = settings.Run.Prefetch,
            WindowShards = settings.Run.WindowShards, Device = device, Rank = group.Rank, WorldSize = group.WorldSize, Splits = options.Splits,
        }, ct).ConfigureAwait(false);
        CheckData(feed, mc);
        long batchesPerEpoch = feed.BatchesPerEpoch / accum * accum;
        if (batchesPerEpoch == 0)
            throw new InvalidDataException($"{options.ManifestPath}: {feed.Order.Total} samples are fewer than one optimiser step needs ({b} x {accum})");
        long stepsPerEpoch = tta ? batchesPerEpoch * options.TtaSteps : batchesPerEpoch / accum;
        int epochs = tta ? 1 : settings.Optim.Epochs;
        long maxSteps = options.MaxSteps ?? settings.Optim.MaxSteps;
        long totalSteps = epochs > 0 ? epochs * stepsPerEpoch : maxSteps;
        long stopAt = maxSteps > 0 ? Math.Min(maxSteps, totalSteps) : totalSteps;
        long warmup = Math.Min(totalSteps, (long)Math.Round(settings.Optim.WarmupEpochs * stepsPerEpoch));
        double lr = WarmupCosineSchedule.ScaledLr(settings.Optim.BaseLr, (long)b * accum);
        // Test-time adaptation runs at a constant lr (no warmup; the cosine ends where it starts).
        var schedule = tta ? new WarmupCosineSchedule(lr, 0, totalSteps, MinLr: lr) : new WarmupCosineSchedule(lr, warmup, totalSteps, settings.Optim.MinLr);

        using var model = new CrossVideoMAE.Model.CrossVideoMAE(mc, seed);
        model.to(device);
        model.train();
        using var optimizer = OptimizerFactory.Pretraining(model, lr, settings.Optim.WeightDecay,
            settings.Optim.Betas[0], settings.Optim.Betas[1]);

        string checkpoints = Path.Combine(options.OutDir, CheckpointFolder);
        long step = 0;
        int epoch = 0;
        long startBatch = 0;
        if (options.Resume)
            (step, epoch, startBatch) = TrainingResume.Restore(checkpoints, model, optimizer, b, log);
        else
        {
            if (options.InitModel is not null) { using var w = ModelWeights.Load(options.InitModel); log.WriteLine(WeightsLoader.LoadModel(model, w)); }
            if (options.InitVideo is not null) { using var w = ModelWeights.Load(options.InitVideo); log.WriteLine(WeightsLoader.LoadEncoder(model.video_encoder, w, WeightsLoader.VideoPrefixes)); }
            if (options.InitImage is not null) { using var w = ModelWeights.Load(options.InitImage); log.WriteLine(WeightsLoader.LoadEncoder(model.image_encoder, w, WeightsLoader.ImagePrefixes)); }
        }
        // Every rank starts from rank 0's weights (they agree already when built from the same seed or file).
        foreach (Parameter p in model.parameters()) group.Broadcast(p, root: 0);
        var averager = new GradientAverager(model.parameters().ToList(), group);
        BatchGather? gather = group.WorldSize > 1 ? new RankBatchGather(group) : null;
        string metricsPath = Path.Combine(options.OutDir, MetricsFile);
        if (options.Resume && writer) MetricsLog.KeepUpTo(metricsPath, step);
        using MetricsLog? metrics = writer ? new MetricsLog(metricsPath, append: options.Resume) : null;

        long firstStep = step;
        var wall = Stopwatch.StartNew();
        double feedWait = 0, lastLoss = double.NaN;
        long clips = 0;
        var stepClock = Stopwatch.StartNew();
        double stepFeedWait = 0;
        var sums = new Dictionary<string, double>();

        while (step < stopAt)
        {
            await using IAsyncEnumerator<FeedBatch> batches = feed.EpochAsync(epoch, startBatch, batchesPerEpoch - startBatch, ct).GetAsyncEnumerator(ct);
            while (step < stopAt)
            {
                var waitClock = Stopwatch.StartNew();
                if (!await batches.MoveNextAsync().ConfigureAwait(false)) break;
                double waited = waitClock.Elapsed.TotalSeconds;
                feedWait += waited;
                stepFeedWait += waited;
                using FeedBatch batch = batches.Current;
                int repeats = tta ? options.TtaSteps : 1;
                for (int k = 0; k < repeats && step < stopAt; k++)
                {
                    MicroStep(model, lossFn, batch, seed, repeats, k, group, gather, settings.Run.Bf16 ? device : null, accum, sums);
                    clips += batch.Size * group.WorldSize;
                    bool stepNow = tta || (batch.BatchIndex + 1) % accum == 0;
                    if (!stepNow) continue;

                    double reduceBefore = averager.Seconds;
                    averager.Average();
                    double reduceSeconds = averager.Seconds - reduceBefore;
                    MeanOverRanks(group, sums);
                    double scheduled = schedule.Apply(optimizer, step);
                    double gradNorm = optimizer.clip_grad_norm(settings.Optim.ClipGrad > 0 ? settings.Optim.ClipGrad : double.PositiveInfinity);
                    optimizer.step();
                    optimizer.zero_grad();
                    step++;

                    // The position after this step: the next batch of this epoch, or the next epoch.
                    long nextBatch = batch.BatchIndex + 1;
                    int posEpoch = batch.Epoch;
                    if (nextBatch >= batchesPerEpoch) { posEpoch++; nextBatch = 0; }

                    double seconds = stepClock.Elapsed.TotalSeconds;
                    long stepClips = (long)b * (tta ? 1 : accum);
                    var record = new Dictionary<string, object>
                    {
                        ["step"] = step, ["epoch"] = batch.Epoch, ["batch"] = batch.BatchIndex, ["sample"] = batch.FirstSample,
                        ["lr"] = scheduled, ["grad_norm"] = gradNorm,
                        ["clips_per_s"] = seconds > 0 ? stepClips / seconds : 0.0,
                        ["feed_wait_ms"] = stepFeedWait * 1000, ["step_ms"] = seconds * 1000,
                        ["allreduce_ms"] = reduceSeconds * 1000, ["world_size"] = group.WorldSize,
                    };
                    foreach (var (name, sum) in sums) record["loss_" + name] = sum / (tta ? 1 : accum);
                    lastLoss = sums["total"] / (tta ? 1 : accum);
                    if (step % settings.Run.LogEvery == 0 || step == stopAt) metrics?.Write(record);
                    onStep?.Invoke(new StepReport(step, stopAt, batch.Epoch, lastLoss, scheduled, seconds > 0 ? stepClips / seconds : 0, seconds > 0 ? stepFeedWait / seconds : 0));
                    sums.Clear();
                    stepFeedWait = 0;
                    stepClock.Restart();

                    if (step % ReleaseMemoryEvery == 0) torch.release_free_memory();
                    if (writer && !tta && (step % settings.Run.CheckpointEvery == 0 || step == stopAt))
                        SaveCheckpoint(checkpoints, model, optimizer, step, posEpoch, nextBatch * b, configJson);
                }
            }
            epoch++;
            startBatch = 0;
            if (epoch >= epochs && epochs > 0) break;
        }

        if (!writer) return new PretrainSummary(firstStep, step, wall.Elapsed.TotalSeconds, clips, lastLoss, feedWait, options.OutDir);
        Dictionary<string, Tensor> state = model.state_dict();
        SafeTensors.Save(Path.Combine(options.OutDir, ModelFile), state.OrderBy(kv => kv.Key, StringComparer.Ordinal),
            new Dictionary<string, string> { ["format"] = "cvmae-model", ["config"] = configJson, ["step"] = step.ToString(CultureInfo.InvariantCulture) });
        MaeExport.SaveVideoEncoder(Path.Combine(options.OutDir, VideoEncoderFile), state);
        return new PretrainSummary(firstStep, step, wall.Elapsed.TotalSeconds, clips, lastLoss, feedWait, options.OutDir);
    }

    // One forward and backward pass; the loss is divided by accum so the summed gradients are the mean's.
    // Each sample's masks come from its own generator, seeded by (seed, epoch, position in the epoch,
    // TTA repeat), so they do not depend on the batch or rank the sample is trained in.
    private static void MicroStep(CrossVideoMAE.Model.CrossVideoMAE model, CrossVideoMaeLoss lossFn, FeedBatch batch, ulong seed, int repeats, int repeat,
        IRankGroup group, BatchGather? gather, Device? autocastDevice, int accum, Dictionary<string, double> sums)
    {
        using var scope = torch.NewDisposeScope();
        var generators = new List<Generator>((int)batch.Size);
        try
        {
            for (long i = 0; i < batch.Size; i++)
                generators.Add(new Generator(StableHash.Derive(seed, $"epoch{batch.Epoch}", (batch.FirstSample + i) * repeats + repeat, "mask")));
            CrossVideoMaeBatch input = batch.ToModelBatch();
            LossTerms terms;
            using (autocastDevice is { } d ? torch.autocast(d.Type) : null)
            {
                CrossVideoMaeOutput output = model.forward(input, MaskNoise.PerSample(generators), lossFn.RequiredParts);
                terms = lossFn.Compute(output, input, gather);
            }
            // With ranks, the backward all-reduces the gathered embeddings' gradients: a dead peer fails it.
            group.Run("backward pass (gradients of the gathered embeddings)", () => (terms.Total / accum).backward());
            foreach (var (name, value) in terms.ToScalars())
                sums[name] = sums.GetValueOrDefault(name) + value;
        }
        finally
        {
            foreach (Generator g in generators) g.Dispose();
        }
    }

    // Each rank's loss terms are means over its share of the batch; their mean over ranks is the global batch's.
    private static void MeanOverRanks(IRankGroup group, Dictionary<string, double> sums)
    {
        if (group.WorldSize == 1) return;
        string[] names = sums.Keys.Order(StringComparer.Ordinal).ToArray();
        using Tensor values = torch.tensor(names.Select(n => sums[n]).ToArray());   // [terms] float64
        group.AllReduceSum([values]);
        double[] total = values.data<double>().ToArray();
        for (int i = 0; i < names.Length; i++) sums[names[i]] = total[i] / group.WorldSize;
    }

    private void CheckData(TrainFeed feed, ModelConfig mc)
    {
        int clipLength = feed.Index.Config.ClipLength;
        if (clipLength != mc.NumFrames)
            throw new InvalidDataException($"{options.ManifestPath}: clips hold {clipLength} frames but model.frames is {mc.NumFrames}");
    }


    private static void SaveCheckpoint(string directory, Module model, Optimizer optimizer, long step, int epoch, long sample, string configJson) =>
        TrainingCheckpoint.Save(directory, new TrainingProgress
        {
            Step = step, Epoch = epoch, SampleInEpoch = sample, SchedulePosition = step, ConfigJson = configJson,
        }, model.state_dict(), optimizer);
}
