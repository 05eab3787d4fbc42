namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>
/// The fine-tuning recipe (docs/method.md, "Fine-tuning"), loaded from YAML with snake_case keys by
/// <see cref="Config.StrictYaml"/> (an unknown key is an error). Every key is optional:
/// <code>
/// config: tiny            # model config; inferred from the weights when absent
/// size: 224               # crop side; from the weights' positional table when absent
/// epochs: 30
/// warmup_epochs: 5
/// batch_size: 8           # the global batch: split over the ranks of a data-parallel run
/// accum_steps: 1          # micro-batches of batch_size per optimiser step (gradient accumulation)
/// clip_grad: 0            # > 0 clips the global gradient norm
/// checkpoint_every: 0     # > 0: a checkpoint every N optimiser steps (besides the last), for --resume
/// bf16: false             # the forward pass under bf16 autocast on the run's device (the loss stays float32)
/// decode_threads: 2       # JPEG decoders of the train feed
/// base_lr: 1.5e-4         # lr = base_lr * batch_size * accum_steps / 256 (1e-3 SSv2, 5e-4 K400, 1.5e-4 UCF101/HMDB51)
/// min_lr: 1.0e-6
/// weight_decay: 0.05
/// layer_decay: 0.75
/// drop_path: 0.1
/// head_dropout: 0.1
/// label_smoothing: 0.1
/// mixup_alpha: 0.8        # 0 switches mixup off
/// cutmix_alpha: 1.0       # 0 switches cutmix off
/// rand_augment: true      # RandAugment m9 n2
/// random_erasing: 0.25    # probability; 0 switches it off
/// flip_probability: 0.5   # 0 for SSv2
/// repeated_augmentation: 2  # copies of each clip per step, each augmented on its own (1: off)
/// train_split: train
/// eval_split: val         # evaluated (centre crop, 1 clip) after training; empty: skip
/// seed: 0
/// </code>
/// The lr follows the batch of decoded clips (batch_size), not the B x repeated_augmentation rows a step trains on.
/// </summary>
public sealed class FinetuneSettings
{
    public string? Config { get; set; }
    public int? Size { get; set; }
    public int Epochs { get; set; } = 30;
    public int WarmupEpochs { get; set; } = 5;
    public int BatchSize { get; set; } = 8;
    public int AccumSteps { get; set; } = 1;
    public double ClipGrad { get; set; }
    public long CheckpointEvery { get; set; }
    public bool Bf16 { get; set; }
    public int DecodeThreads { get; set; } = 2;
    public double BaseLr { get; set; } = 1.5e-4;
    public double MinLr { get; set; } = 1e-6;
    public double WeightDecay { get; set; } = 0.05;
    public double LayerDecay { get; set; } = 0.75;
    public double DropPath { get; set; } = 0.1;
    public double HeadDropout { get; set; } = 0.1;
    public double LabelSmoothing { get; set; } = 0.1;
    public double MixupAlpha { get; set; } = 0.8;
    public double CutmixAlpha { get; set; } = 1.0;
    public bool RandAugment { get; set; } = true;
    public double RandomErasing { get; set; } = 0.25;
    public double FlipProbability { get; set; } = 0.5;
    public int RepeatedAugmentation { get; set; } = 2;
    public string TrainSplit { get; set; } = "train";
    public string? EvalSplit { get; set; } = "val";
    public ulong Seed { get; set; }

    public double Lr => BaseLr * BatchSize * AccumSteps / 256.0;

    public FinetuneSettings Validate(string source)
    {
        void Require(bool ok, string key, object value, string rule)
        {
            if (!ok) throw new ArgumentException($"{source}: {key} = {value} ({rule})");
        }
        Require(Epochs >= 1, "epochs", Epochs, "must be positive");
        Require(WarmupEpochs >= 0 && WarmupEpochs <= Epochs, "warmup_epochs", WarmupEpochs, "must be in [0, epochs]");
        Require(BatchSize >= 1, "batch_size", BatchSize, "must be positive");
        Require(AccumSteps >= 1, "accum_steps", AccumSteps, "must be positive");
        Require(ClipGrad >= 0, "clip_grad", ClipGrad, "must not be negative");
        Require(CheckpointEvery >= 0, "checkpoint_every", CheckpointEvery, "must not be negative");
        Require(DecodeThreads is >= 1 and <= 256, "decode_threads", DecodeThreads, "must be in [1, 256]");
        Require(BaseLr > 0, "base_lr", BaseLr, "must be positive");
        Require(MinLr >= 0, "min_lr", MinLr, "must not be negative");
        Require(WeightDecay >= 0, "weight_decay", WeightDecay, "must not be negative");
        Require(LayerDecay is > 0 and <= 1, "layer_decay", LayerDecay, "must be in (0, 1]");
        Require(DropPath is >= 0 and < 1, "drop_path", DropPath, "must be in [0, 1)");
        Require(HeadDropout is >= 0 and < 1, "head_dropout", HeadDropout, "must be in [0, 1)");
        Require(LabelSmoothing is >= 0 and < 1, "label_smoothing", LabelSmoothing, "must be in [0, 1)");
        Require(MixupAlpha >= 0, "mixup_alpha", MixupAlpha, "must not be negative");
        Require(CutmixAlpha >= 0, "cutmix_alpha", CutmixAlpha, "must not be negative");
        Require(RandomErasing is >= 0 and <= 1, "random_erasing", RandomErasing, "must be in [0, 1]");
        Require(FlipProbability is >= 0 and <= 1, "flip_probability", FlipProbability, "must be in [0, 1]");
        Require(RepeatedAugmentation is >= 1 and <= 16, "repeated_augmentation", RepeatedAugmentation, "must be in [1, 16]");
        return this;
    }
}
