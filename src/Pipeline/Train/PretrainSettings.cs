using CrossVideoMAE.Model;
using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Train;

/// <summary>
/// The YAML of `cvmae pretrain --config FILE.yaml` (snake_case keys; an unknown key is an error).
/// Defaults are docs/method.md's; configs/ holds the paper's ViT-B recipes and small CPU ones.
/// </summary>
public sealed class PretrainSettings
{
    public ModelSection Model { get; set; } = new();
    public MaskingSection Masking { get; set; } = new();
    /// <summary>The loss section is the model's own <see cref="LossConfig"/> (keys intra, cross, ..., norm_pix_loss).</summary>
    public LossConfig Loss { get; set; } = new();
    public AugmentSection Augment { get; set; } = new();
    public OptimSection Optim { get; set; } = new();
    public RunSection Run { get; set; } = new();

    public sealed class ModelSection
    {
        /// <summary>tiny | small | base</summary>
        public string Name { get; set; } = "base";
        public int Frames { get; set; } = 16;
        public int VideoSize { get; set; } = 224;
        public int FrameSize { get; set; } = 224;
        public bool FreezeImageEncoder { get; set; }
        /// <summary>sincos | learned</summary>
        public string PosEmbed { get; set; } = "sincos";
        public double DropPath { get; set; }
    }

    public sealed class MaskingSection
    {
        public double VideoRatio { get; set; } = ModelConfig.DefaultVideoMaskRatio;
        public double ImageRatio { get; set; } = ModelConfig.DefaultImageMaskRatio;
        /// <summary>random | tube | frame</summary>
        public string VideoKind { get; set; } = "random";
    }

    public sealed class AugmentSection
    {
        /// <summary>k400 | ssv2 | ucf101 | hmdb51 | other (ssv2 turns flips off)</summary>
        public string Dataset { get; set; } = "k400";
        public bool RandAugment { get; set; } = true;
        public bool RandomErasing { get; set; } = true;
        public bool Mixup { get; set; } = true;
        public bool Cutmix { get; set; } = true;
        public bool SharedBaseCrop { get; set; }
        public double MinScale { get; set; } = 0.08;
    }

    public sealed class OptimSection
    {
        public int BatchSize { get; set; } = 8;
        public int AccumSteps { get; set; } = 1;
        /// <summary>Base lr; the lr used is base_lr * effective batch / 256.</summary>
        public double BaseLr { get; set; } = 1.5e-4;
        public double WeightDecay { get; set; } = 0.05;
        public List<double> Betas { get; set; } = [0.9, 0.95];
        public double WarmupEpochs { get; set; } = 40;
        public int Epochs { get; set; } = 800;
        /// <summary>Stop after this many optimiser steps (0: run all epochs).</summary>
        public long MaxSteps { get; set; }
        /// <summary>Clip the global gradient norm to this value (0: off).</summary>
        public double ClipGrad { get; set; }
        public double MinLr { get; set; }
    }

    public sealed class RunSection
    {
        public ulong Seed { get; set; }
        /// <summary>cpu | cuda | cuda:N</summary>
        public string Device { get; set; } = "cpu";
        /// <summary>bf16 autocast (CUDA).</summary>
        public bool Bf16 { get; set; }
        public long CheckpointEvery { get; set; } = 500;
        public int DecodeThreads { get; set; } = 2;
        /// <summary>Batches the feed may hold ahead of the training block.</summary>
        public int Prefetch { get; set; } = 2;
        public int LogEvery { get; set; } = 1;
        /// <summary>Intra-op threads of libtorch (0: the default; the CVMAE_THREADS variable wins over both).</summary>
        public int Threads { get; set; }
        /// <summary>Shards whose rows are mixed (and held in memory) together; see SampleOrder.</summary>
        public int WindowShards { get; set; } = 4;
    }

    /// <summary>Loads and validates a settings file; every problem is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static PretrainSettings Load(string path)
    {
        PretrainSettings s = Config.StrictYaml.Load<PretrainSettings>(path);
        try { return s.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    public ModelConfig ToModelConfig()
    {
        ModelConfig baseConfig = ModelConfigs.Get(Model.Name).WithInput(Model.Frames, Model.VideoSize, Model.FrameSize);
        PositionalEmbeddingKind pos = Model.PosEmbed.ToLowerInvariant() switch
        {
            "sincos" => PositionalEmbeddingKind.SinCos,
            "learned" => PositionalEmbeddingKind.LearnedSeparable,
            _ => throw new ArgumentException($"model.pos_embed must be sincos or learned, got '{Model.PosEmbed}'"),
        };
        MaskingKind kind = Masking.VideoKind.ToLowerInvariant() switch
        {
            "random" => MaskingKind.Random,
            "tube" => MaskingKind.Tube,
            "frame" => MaskingKind.Frame,
            _ => throw new ArgumentException($"masking.video_kind must be random, tube or frame, got '{Masking.VideoKind}'"),
        };
        return (baseConfig with
        {
            VideoEncoder = baseConfig.VideoEncoder with { PosEmbed = pos, DropPathRate = Model.DropPath },
            ImageEncoder = baseConfig.ImageEncoder with { DropPathRate = Model.DropPath },
            VideoMaskRatio = Masking.VideoRatio,
            ImageMaskRatio = Masking.ImageRatio,
            VideoMasking = kind,
            FreezeImageEncoder = Model.FreezeImageEncoder,
        }).Validate();
    }

    public LossConfig ToLossConfig() => Loss.Validate();

    public static DatasetKind ParseDataset(string name) => name.ToLowerInvariant() switch
    {
        "k400" or "kinetics400" => DatasetKind.Kinetics400,
        "ssv2" or "somethingsomethingv2" => DatasetKind.SomethingSomethingV2,
        "ucf101" => DatasetKind.Ucf101,
        "hmdb51" => DatasetKind.Hmdb51,
        "other" or "folder" => DatasetKind.Other,
        _ => throw new ArgumentException($"augment.dataset must be k400, ssv2, ucf101, hmdb51 or other, got '{name}'"),
    };

    public AugmentConfig ToAugmentConfig() => AugmentConfig.For(ParseDataset(Augment.Dataset)) with
    {
        CropSize = Model.VideoSize,
        ShortSide = Math.Max(Model.VideoSize, Model.VideoSize * 256 / 224),
        RandAugment = Augment.RandAugment,
        RandomErasing = Augment.RandomErasing,
        Mixup = Augment.Mixup,
        CutMix = Augment.Cutmix,
        SharedBaseCrop = Augment.SharedBaseCrop,
        MinScale = Augment.MinScale,
    };

    /// <summary>Checks what the sections cannot check alone; throws naming the key.</summary>
    public PretrainSettings Validate()
    {
        if (Optim.BatchSize < 1) throw new ArgumentException($"optim.batch_size must be at least 1, got {Optim.BatchSize}");
        if (Optim.AccumSteps < 1) throw new ArgumentException($"optim.accum_steps must be at least 1, got {Optim.AccumSteps}");
        if (Optim.Betas.Count != 2 || Optim.Betas.Any(b => b is < 0 or >= 1)) throw new ArgumentException("optim.betas must be two values in [0, 1)");
        if (!(Optim.BaseLr > 0)) throw new ArgumentException($"optim.base_lr must be positive, got {Optim.BaseLr}");
        if (Optim.Epochs < 1 && Optim.MaxSteps < 1) throw new ArgumentException("set optim.epochs or optim.max_steps");
        if (Optim.WarmupEpochs < 0) throw new ArgumentException("optim.warmup_epochs must not be negative");
        if (Run.CheckpointEvery < 1) throw new ArgumentException("run.checkpoint_every must be at least 1");
        if (Run.Threads < 0) throw new ArgumentException($"run.threads must be 0 (default) or positive, got {Run.Threads}");
        if (Run.WindowShards < 1) throw new ArgumentException($"run.window_shards must be at least 1, got {Run.WindowShards}");
        if (Run.LogEvery < 1) throw new ArgumentException($"run.log_every must be at least 1, got {Run.LogEvery}");
        if (Model.FrameSize != Model.VideoSize) throw new ArgumentException($"model.frame_size ({Model.FrameSize}) must equal model.video_size ({Model.VideoSize}): the feed crops clips and frames to one size");
        try { Device.Parse(Run.Device); }
        catch (Exception e) when (e is ArgumentException or FormatException) { throw new ArgumentException($"run.device '{Run.Device}' is not cpu, cuda or cuda:N"); }
        if (Run.DecodeThreads < 1 || Run.Prefetch < 1) throw new ArgumentException("run.decode_threads and run.prefetch must be at least 1");
        ToModelConfig();
        ToLossConfig();
        ToAugmentConfig().Validate();
        return this;
    }
}
