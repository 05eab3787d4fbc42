using System.Text.Json.Serialization;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// The manifest of a prepared dataset (index.json, written last, next to its shards; JSON
/// Schema in data-schemas/index.schema.json). Every input video ends up either in the rows
/// of the listed shards or in <see cref="Quarantine"/>.
/// </summary>
public sealed record ShardIndex
{
    public const int CurrentSchemaVersion = 1;

    public required int SchemaVersion { get; init; }
    public required string Dataset { get; init; }
    /// <summary>When the index was written (ISO 8601 with offset).</summary>
    public required DateTimeOffset Created { get; init; }
    public required string ToolVersion { get; init; }
    public required PrepareConfig Config { get; init; }
    /// <summary>Class name to label index.</summary>
    public required IReadOnlyDictionary<string, int> Labels { get; init; }
    public required IReadOnlyList<ShardInfo> Shards { get; init; }
    public required IReadOnlyList<QuarantineEntry> Quarantine { get; init; }
    public required IndexTotals Totals { get; init; }
}

/// <summary>The `cvmae prepare` settings that produced the shards.</summary>
public sealed record PrepareConfig
{
    public static readonly IReadOnlyList<string> SamplingModes = ["random", "first", "middle"];

    /// <summary>Frames per clip (T, 16 by default).</summary>
    public required int ClipLength { get; init; }
    /// <summary>Temporal stride between clip frames, in source frames.</summary>
    public required int Stride { get; init; }
    public required int ClipsPerVideo { get; init; }
    /// <summary>How the n frames of a clip are chosen: random, first or middle.</summary>
    public required string SamplingMode { get; init; }
    /// <summary>Sampled frames per clip (n, 1 by default).</summary>
    public required int SampledFrames { get; init; }
    public required int JpegQuality { get; init; }
    /// <summary>Frames are resized so their short side has this many pixels.</summary>
    public required int ShortSide { get; init; }
    public required long Seed { get; init; }
    public required long ShardSizeBytes { get; init; }

    [JsonIgnore]
    public ShardLayout Layout => new(ClipLength, SampledFrames);
}

/// <summary>An input that produced no rows, the stage that refused it and why.</summary>
public sealed record QuarantineEntry(string Input, string? VideoId, string Stage, string Reason);

public sealed record IndexTotals(long Inputs, long Rows, long Quarantined);
