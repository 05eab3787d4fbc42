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
/// One `cvmae pretrain` run: the CrossVideoMAE objective is the step function of
/// <see cref="TrainingLoop{TBatch}"/> (which does resume, accumulation, gradient averaging, clipping, the
/// schedule, bf16 autocast, metrics and checkpoints) on batches from <see cref="TrainFeed"/>. AdamW
/// (<see cref="OptimizerFactory.Pretraining"/>: weight decay split, betas from the config), lr = base_lr x
/// (batch x accum) / 256 with linear warmup over warmup_epochs and a half-cycle cosine per optimiser step;
/// under run.bf16 the forward pass runs in torch.autocast on the run's device (the losses stay float32).
/// <para>Determinism: the weights come from the seed, the data order from (seed, epoch), each sample's
/// augmentation and masks from (seed, epoch, position of the sample in the epoch). A checkpoint stores the
/// weights, the AdamW moments and the position (epoch, next sample), so a resumed run continues with
/// exactly the batches and masks an uninterrupted run would have used.</para>
/// <para>Test-time adaptation (<see cref="PretrainOptions.TtaSteps"/> = K &gt; 0): start from the
/// given weights, go once through the manifest's data in the epoch-0 order; on each batch take K
/// AdamW steps of the same objective (same views, new masks each step, no accumulation) at the
/// constant lr base_lr x batch / 256; the adaptation carries over from batch to batch. The adapted
/// weights are written like a pre-training run's.</para>
/// <para>Data parallel (<see cref="PretrainOptions.Group"/> of W ranks): optim.batch_size is the global
/// batch; each rank trains on its share of every global batch (<see cref="SampleOrder.RankShare"/>),
/// each sample's augmentation and masks are keyed by (seed, epoch, position in the epoch), the
/// contrastive terms see the global batch (<see cref="RankBatchGather"/>) and the gradients are
/// averaged across ranks during the backward pass of a step's last micro-batch (<see cref="GradientAverager"/>), so a step computes
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

    public async Task<TrainingSummary> RunAsync(Action<StepReport>? onStep = null, CancellationToken ct = default)
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

        using var model = new CrossVideoMAE.Model.CrossVideoMAE(mc, seed);
        model.to(device);
        model.train();
        double lr = WarmupCosineSchedule.ScaledLr(settings.Optim.BaseLr, (long)b * accum);
        using var optimizer = OptimizerFactory.Pretraining(model, lr, settings.Optim.WeightDecay,
            settings.Optim.Betas[0], settings.Optim.Betas[1]);
        if (!options.Resume)
        {
            if (options.InitModel is not null) { using var w = ModelWeights.Load(options.InitModel); log.WriteLine(WeightsLoader.LoadModel(model, w)); }
            if (options.InitVideo is not null) { using var w = ModelWeights.Load(options.InitVideo); log.WriteLine(WeightsLoader.LoadEncoder(model.video_encoder, w, WeightsLoader.VideoPrefixes)); }
            if (options.InitImage is not null) { using var w = ModelWeights.Load(options.InitImage); log.WriteLine(WeightsLoader.LoadEncoder(model.image_encoder, w, WeightsLoader.ImagePrefixes)); }
        }

        BatchGather? gather = group.WorldSize > 1 ? new RankBatchGather(group) : null;
        int repeats = tta ? options.TtaSteps : 1;
        // Each sample's masks come from its own generator, seeded by (seed, epoch, position in the epoch,
        // TTA repeat), so they do not depend on the batch or rank the sample is trained in.
        StepLoss Step(FeedBatch batch, int repeat)
        {
            var generators = new List<Generator>((int)batch.Size);
            try
            {
                for (long i = 0; i < batch.Size; i++)
                    generators.Add(new Generator(StableHash.Derive(seed, $"epoch{batch.Epoch}", (batch.FirstSample + i) * repeats + repeat, "mask")));
                CrossVideoMaeBatch input = batch.ToModelBatch();
                CrossVideoMaeOutput output = model.forward(input, MaskNoise.PerSample(generators), lossFn.RequiredParts);
                LossTerms terms = lossFn.Compute(output, input, gather);
                return new StepLoss(terms.Total, () => terms.ToScalars());
            }
            finally
            {
                foreach (Generator g in generators) g.Dispose();
            }
        }

        var loop = new TrainingLoop<FeedBatch>(model, optimizer, feed, Step, new TrainingLoopSettings
        {
            Job = tta ? "tta" : "pretrain",
            PeakLr = lr, WarmupEpochs = settings.Optim.WarmupEpochs, MinLr = settings.Optim.MinLr,
            // Test-time adaptation runs at a constant lr (no warmup; the cosine ends where it starts).
            ConstantLr = tta,
            Epochs = tta ? 1 : settings.Optim.Epochs, MaxSteps = options.MaxSteps ?? settings.Optim.MaxSteps,
            AccumSteps = accum, StepsPerBatch = repeats, ClipGrad = settings.Optim.ClipGrad,
            Autocast = settings.Run.Bf16 ? device : null, LogEvery = settings.Run.LogEvery,
            MetricsPath = Path.Combine(options.OutDir, MetricsFile),
            CheckpointDir = Path.Combine(options.OutDir, CheckpointFolder),
            CheckpointEvery = tta ? 0 : settings.Run.CheckpointEvery, CheckpointAtEnd = !tta,
            ConfigJson = configJson, Resume = options.Resume,
        }, group, log) { OnStep = onStep };
        TrainingSummary summary = await loop.RunAsync(ct).ConfigureAwait(false) with { OutDir = options.OutDir };

        if (!writer) return summary;
        Dictionary<string, Tensor> state = model.state_dict();
        SafeTensors.Save(Path.Combine(options.OutDir, ModelFile), state.OrderBy(kv => kv.Key, StringComparer.Ordinal),
            new Dictionary<string, string> { ["format"] = "cvmae-model", ["config"] = configJson, ["step"] = summary.LastStep.ToString(CultureInfo.InvariantCulture) });
        MaeExport.SaveVideoEncoder(Path.Combine(options.OutDir, VideoEncoderFile), state);
        return summary;
    }

    private void CheckData(TrainFeed feed, ModelConfig mc)
    {
        int clipLength = feed.Index.Config.ClipLength;
        if (clipLength != mc.NumFrames)
            throw new InvalidDataException($"{options.ManifestPath}: clips hold {clipLength} frames but model.frames is {mc.NumFrames}");
    }
}
