using CrossVideoMAE.Stages.Sampling;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>Everything `cvmae prepare` is told. Two runs with equal options produce identical shards.</summary>
public sealed record PrepareOptions
{
    /// <summary>kinetics400 | ssv2 | ucf101 | hmdb51 | folder</summary>
    public required string Format { get; init; }
    /// <summary>Annotation files (K400 CSVs, SSv2 JSONs) or the split folder (UCF101, HMDB51); for folder: the root.</summary>
    public required IReadOnlyList<string> Annotations { get; init; }
    /// <summary>SSv2 labels.json.</summary>
    public string? Labels { get; init; }
    /// <summary>Where the videos are (defaults to the annotation folder).</summary>
    public string? VideoRoot { get; init; }
    public int SplitNumber { get; init; } = 1;
    public required string OutDir { get; init; }
    /// <summary>Name of the dataset in index.json and the shard file prefix.</summary>
    public required string Name { get; init; }
    /// <summary>Splits to keep (empty: all the annotations list).</summary>
    public IReadOnlyList<string> Splits { get; init; } = [];

    public int ClipLength { get; init; } = 16;
    public int Stride { get; init; } = 4;
    public ClipSamplingMode ClipMode { get; init; } = ClipSamplingMode.Strided;
    public int ClipsPerVideo { get; init; } = 1;
    public int SampledFrames { get; init; } = 1;
    public FrameSelection Selection { get; init; } = FrameSelection.Random;
    public int JpegQuality { get; init; } = 90;
    public int ShortSide { get; init; } = 256;
    public ulong Seed { get; init; }
    public long ShardSizeBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Videos probed/decoded/encoded at once (each runs its own ffmpeg).</summary>
    public int Parallelism { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>Videos decoded by one shared ffmpeg run (1: a run per video). Sharing pays ffmpeg's start-up once
    /// per group; the output is the same either way.</summary>
    public int DecodeBatch { get; init; } = 8;
    /// <summary>Extra attempts for transient failures (a tool killed or timed out).</summary>
    public int Retries { get; init; } = 2;
    /// <summary>Time limit of one probe or decode attempt; past it ffmpeg is killed.</summary>
    public TimeSpan StageTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public InputPartition Partition { get; init; } = InputPartition.Whole;

    /// <summary>Prepare every input again (a new version that reuses nothing), e.g. after changing a setting that alters rows.</summary>
    public bool Rebuild { get; init; }
    /// <summary>Manifest versions whose shards stay on disk after a run (the new one included): 2 keeps the
    /// previous version readable for a training job that loaded it before the switch.</summary>
    public int KeepVersions { get; init; } = 2;

    /// <summary>Where shared ffmpeg runs leave decoded frames until they are read back (removed at the end of a run).</summary>
    public string ScratchDir => Path.Combine(OutDir, $".decode-scratch{Partition.Tag}");

    /// <summary>The settings that decide the output bytes (not parallelism or timeouts): a resumed
    /// run must match the interrupted one on these.</summary>
    public string Fingerprint() => string.Join("|",
        Format, string.Join(",", Annotations), Labels, VideoRoot, SplitNumber, Name, string.Join(",", Splits),
        ClipLength, Stride, ClipMode, ClipsPerVideo, SampledFrames, Selection, JpegQuality, ShortSide, Seed,
        ShardSizeBytes, Partition.Index, Partition.Count);

    public void Validate()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Require(Annotations.Count > 0, "give the annotation files or folder with --annotations");
        Require(ClipLength is >= 1 and <= 100, $"--clip-length must be in [1, 100] (got {ClipLength})");
        Require(Stride >= 1, $"--stride must be at least 1 (got {Stride})");
        Require(ClipsPerVideo >= 1, $"--clips-per-video must be at least 1 (got {ClipsPerVideo})");
        Require(SampledFrames >= 1 && SampledFrames <= ClipLength, $"--sampled-frames must be in [1, clip length] (got {SampledFrames})");
        Require(JpegQuality is >= 1 and <= 100, $"--jpeg-quality must be in [1, 100] (got {JpegQuality})");
        Require(ShortSide >= 16, $"--short-side must be at least 16 (got {ShortSide})");
        Require(ShardSizeBytes >= 64 << 10, $"--shard-size-mb must be at least 0.0625 (64 KB; got {ShardSizeBytes} bytes)");
        Require(Parallelism >= 1, $"--parallelism must be at least 1 (got {Parallelism})");
        Require(DecodeBatch is >= 1 and <= 64, $"--decode-batch must be in [1, 64] (got {DecodeBatch})");
        Require(KeepVersions >= 1, $"--keep-versions must be at least 1 (got {KeepVersions})");
        Require(Retries >= 0, $"--retries must not be negative (got {Retries})");
        Require(Stages.Shards.ShardFileName.IsSafe(Name), $"--name '{Name}' must be a plain file name (letters, digits, '.', '_', '-')");
    }
}
