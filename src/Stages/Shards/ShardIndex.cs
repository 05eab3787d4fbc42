using System.Text.Json.Serialization;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// The manifest of a prepared dataset (index.json, written last, next to its shards; JSON
/// Schema in data-schemas/index.schema.json). Every input video ends up either in the rows
/// of the listed shards or in <see cref="Quarantine"/>. Each shard holds the rows of one split;
/// <see cref="Splits"/> counts them, so consumers select splits without reading shards.
/// </summary>
public sealed record ShardIndex
{
    /// <summary>2: versioned manifests with per-split shards, the input catalog and relative shard paths.</summary>
    public const int CurrentSchemaVersion = 2;

    public required int SchemaVersion { get; init; }
    public required string Dataset { get; init; }
    /// <summary>Manifest version: 1 for a first run, one more for each later run into the same folder.</summary>
    public int Version { get; init; } = 1;
    /// <summary>When the index was written (ISO 8601 with offset).</summary>
    public required DateTimeOffset Created { get; init; }
    public required string ToolVersion { get; init; }
    public required PrepareConfig Config { get; init; }
    /// <summary>The part of a scale-out run this index covers (index 0 of 1 for a whole dataset).</summary>
    public IndexPartition Partition { get; init; } = IndexPartition.Whole;
    /// <summary>Class name to label index.</summary>
    public required IReadOnlyDictionary<string, int> Labels { get; init; }
    public required IReadOnlyList<ShardInfo> Shards { get; init; }
    /// <summary>Rows, videos and shards of each split.</summary>
    public required IReadOnlyDictionary<string, SplitTotals> Splits { get; init; }
    public required IReadOnlyList<QuarantineEntry> Quarantine { get; init; }
    public required IndexTotals Totals { get; init; }
    /// <summary>What this version changed against the previous one (inputs added, removed, changed, kept).</summary>
    public IndexChanges Changes { get; init; } = new(0, 0, 0, 0);
    /// <summary>Every input with its identity (path relative to the dataset root + SHA-256) and where its
    /// rows are: what the next run compares against to reuse rows instead of decoding again.</summary>
    public IReadOnlyList<InputRecord> Inputs { get; init; } = [];

    /// <summary>Names of the splits that hold rows, in order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> SplitNames => Splits.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The index restricted to the shards of <paramref name="names"/> (every split when none are
    /// given), read from the index alone. An unknown split is an <see cref="ArgumentException"/> naming the
    /// splits there are.</summary>
    public ShardIndex SelectSplits(params string[] names)
    {
        if (names.Length == 0) return this;
        foreach (string n in names)
            if (!Splits.ContainsKey(n))
                throw new ArgumentException($"dataset '{Dataset}' has no split '{n}' (splits: {(Splits.Count == 0 ? "none" : string.Join(", ", SplitNames.Select(s => $"{s} ({Splits[s].Rows} rows)")))})");
        var keep = names.ToHashSet(StringComparer.Ordinal);
        var shards = Shards.Where(s => keep.Contains(s.Split)).ToList();
        return this with
        {
            Shards = shards,
            Splits = Splits.Where(kv => keep.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
            Totals = Totals with { Rows = shards.Sum(s => s.Rows) },
        };
    }

    /// <summary>Per-split totals of <paramref name="shards"/>; <paramref name="videos"/> gives each split's
    /// video count (splits it does not name count 0).</summary>
    public static IReadOnlyDictionary<string, SplitTotals> SplitTotalsOf(IEnumerable<ShardInfo> shards, IReadOnlyDictionary<string, long>? videos = null) =>
        shards.GroupBy(s => s.Split).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(
            g => g.Key, g => new SplitTotals(g.Sum(s => s.Rows), videos?.GetValueOrDefault(g.Key) ?? 0, g.Count()));
}

/// <summary>The `cvmae prepare` settings that produced the shards.</summary>
public sealed record PrepareConfig
{
    public static readonly IReadOnlyList<string> SamplingModes = ["random", "first", "middle"];
    public static readonly IReadOnlyList<string> ClipModes = ["strided", "segments"];

    /// <summary>Frames per clip (T, 16 by default).</summary>
    public required int ClipLength { get; init; }
    /// <summary>Temporal stride between clip frames, in source frames.</summary>
    public required int Stride { get; init; }
    /// <summary>How clips are placed: strided (T frames at the stride) or segments (one frame per segment).</summary>
    public string ClipMode { get; init; } = "strided";
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

    /// <summary>The first setting that alters rows and differs between the two configs (its index.json
    /// name and both values), or null when rows would be the same. The shard size only moves shard
    /// boundaries, so it is not one of them.</summary>
    public string? RowSettingDifference(PrepareConfig other)
    {
        (string name, object a, object b)[] settings =
        [
            ("clip_length", ClipLength, other.ClipLength), ("stride", Stride, other.Stride), ("clip_mode", ClipMode, other.ClipMode),
            ("clips_per_video", ClipsPerVideo, other.ClipsPerVideo), ("sampling_mode", SamplingMode, other.SamplingMode),
            ("sampled_frames", SampledFrames, other.SampledFrames), ("jpeg_quality", JpegQuality, other.JpegQuality),
            ("short_side", ShortSide, other.ShortSide), ("seed", Seed, other.Seed),
        ];
        foreach (var (name, a, b) in settings)
            if (!a.Equals(b)) return $"{name} ({a} before, {b} now)";
        return null;
    }
}

/// <summary>An input that produced no rows, the stage that refused it and why.</summary>
public sealed record QuarantineEntry(string Input, string? VideoId, string Stage, string Reason);

public sealed record IndexTotals(long Inputs, long Rows, long Quarantined);

/// <summary>Rows, videos with rows, and shards of one split.</summary>
public sealed record SplitTotals(long Rows, long Videos, int Shards);

/// <summary>Inputs added, removed, changed (content, label or split) and kept, against the previous version.</summary>
public sealed record IndexChanges(int Added, int Removed, int Changed, int Kept);

/// <summary>Which part of a scale-out run (--shard-index, --num-shards) an index covers.</summary>
public sealed record IndexPartition(int Index, int Count)
{
    public static readonly IndexPartition Whole = new(0, 1);
}

/// <summary>
/// One input of a prepared dataset: its identity (<see cref="Input"/>, the path relative to the dataset
/// root with '/' separators, plus <see cref="Sha256"/> of the whole file; null when it could not be read),
/// the annotation fields that end up in its rows, and the shards holding its rows (none when quarantined).
/// </summary>
public sealed record InputRecord
{
    public required string Input { get; init; }
    public required string? Sha256 { get; init; }
    public required string VideoId { get; init; }
    public required string Split { get; init; }
    public required int Label { get; init; }
    public required string LabelName { get; init; }
    public required string SourcePath { get; init; }
    public required long Rows { get; init; }
    public required IReadOnlyList<string> Shards { get; init; }
}
