using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// Reads and writes index.json. Loading is defensive: malformed JSON, missing or unknown
/// fields, nulls, duplicate keys, negative counts, totals that do not add up, duplicate shard
/// paths and shard paths <see cref="ShardLocation"/> refuses (absolute paths, empty segments, odd
/// characters) are refused with an <see cref="InvalidDataException"/> naming the file and the reason.
/// An index of an older schema version is refused with a message to re-run prepare.
/// </summary>
public static class ShardIndexFile
{
    public const string FileName = "index.json";

    /// <summary>Largest index file accepted.</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public static string Serialize(ShardIndex index)
    {
        string? problem = FindProblem(index);
        if (problem is not null) throw new ArgumentException($"shard index is invalid: {problem}", nameof(index));
        return JsonSerializer.Serialize(index, JsonOptions);
    }

    /// <summary>Parses and validates index JSON; <paramref name="sourceName"/> names it in errors.</summary>
    public static ShardIndex Parse(string json, string sourceName)
    {
        ShardIndex? index;
        try
        {
            index = JsonSerializer.Deserialize<ShardIndex>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw Invalid(sourceName, $"malformed JSON or fields: {e.Message}", e);
        }
        if (index is null) throw Invalid(sourceName, "the document is null");
        string? problem = FindProblem(index);
        if (problem is not null) throw Invalid(sourceName, problem);
        return index;
    }

    public static async Task<ShardIndex> LoadAsync(string path, CancellationToken ct = default)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"shard index '{path}' does not exist", path);
        if (info.Length > MaxBytes) throw Invalid(path, $"the file has {info.Length} bytes, more than the {MaxBytes} accepted");
        byte[] bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        string json;
        try
        {
            json = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Invalid(path, "the file is not valid UTF-8", e);
        }
        return Parse(json, path);
    }

    /// <summary>Writes the index atomically (temporary file, flushed, then renamed over <paramref name="path"/>).</summary>
    public static async Task SaveAsync(string path, ShardIndex index, CancellationToken ct = default)
    {
        string json = Serialize(index);
        string temp = path + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"), ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The first rule the index breaks, or null when it is valid.</summary>
    public static string? FindProblem(ShardIndex index)
    {
        if (index.SchemaVersion is >= 1 and < ShardIndex.CurrentSchemaVersion)
            return $"schema_version {index.SchemaVersion} was written by an older cvmae (expected {ShardIndex.CurrentSchemaVersion}); re-run `cvmae prepare --rebuild` into this folder";
        if (index.SchemaVersion != ShardIndex.CurrentSchemaVersion)
            return $"schema_version {index.SchemaVersion} is not supported (expected {ShardIndex.CurrentSchemaVersion})";
        if (string.IsNullOrWhiteSpace(index.Dataset)) return "dataset is empty";
        if (index.Version < 1) return $"version {index.Version} is not positive";
        if (index.Partition is null || index.Partition.Count < 1 || index.Partition.Index < 0 || index.Partition.Index >= index.Partition.Count)
            return $"partition {index.Partition?.Index} of {index.Partition?.Count} is not a part index in [0, count)";
        if (index.Changes is null || index.Changes.Added < 0 || index.Changes.Removed < 0 || index.Changes.Changed < 0 || index.Changes.Kept < 0)
            return "changes hold a negative count";
        if (string.IsNullOrWhiteSpace(index.ToolVersion)) return "tool_version is empty";

        string? problem = ConfigProblem(index.Config);
        if (problem is not null) return problem;

        var labelIndices = new HashSet<int>();
        foreach ((string name, int label) in index.Labels)
        {
            if (string.IsNullOrEmpty(name)) return "labels has an empty class name";
            if (label < 0) return $"label '{name}' has negative index {label}";
            if (!labelIndices.Add(label)) return $"label index {label} is used by two classes";
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long rows = 0;
        foreach (ShardInfo shard in index.Shards)
        {
            if (shard is null) return "shards holds null";
            string? pathProblem = ShardLocation.Problem(shard.File);
            if (pathProblem is not null) return $"shard file '{shard.File}' {pathProblem}";
            if (!names.Add(shard.File)) return $"shard file '{shard.File}' is listed twice";
            if (string.IsNullOrEmpty(shard.Split) || !ShardFileName.IsSafe(shard.Split)) return $"shard '{shard.File}' has split '{shard.Split}' that is not a plain name";
            if (shard.Rows < 0) return $"shard '{shard.File}' has negative rows {shard.Rows}";
            if (shard.Bytes < 0) return $"shard '{shard.File}' has negative bytes {shard.Bytes}";
            if (!IsSha256Hex(shard.Sha256)) return $"shard '{shard.File}' sha256 '{shard.Sha256}' is not 64 lowercase hex digits";
            rows += shard.Rows;
        }

        foreach (QuarantineEntry entry in index.Quarantine)
        {
            if (entry is null) return "quarantine holds null";
            if (string.IsNullOrEmpty(entry.Input)) return "a quarantine entry has an empty input";
            if (string.IsNullOrEmpty(entry.Stage)) return $"quarantine entry '{entry.Input}' has an empty stage";
            if (string.IsNullOrEmpty(entry.Reason)) return $"quarantine entry '{entry.Input}' has an empty reason";
        }

        foreach ((string split, SplitTotals t) in index.Splits)
        {
            if (t is null) return $"splits.{split} is null";
            var ofSplit = index.Shards.Where(s => s.Split == split).ToList();
            if (t.Rows != ofSplit.Sum(s => s.Rows) || t.Shards != ofSplit.Count)
                return $"splits.{split} lists {t.Rows} rows in {t.Shards} shards but the shards of split '{split}' hold {ofSplit.Sum(s => s.Rows)} rows in {ofSplit.Count}";
            if (t.Videos < 0 || t.Videos > t.Rows) return $"splits.{split}.videos {t.Videos} is outside 0..rows";
        }
        string? unlisted = index.Shards.Select(s => s.Split).FirstOrDefault(s => !index.Splits.ContainsKey(s));
        if (unlisted is not null) return $"split '{unlisted}' of a shard is missing from splits";

        foreach (InputRecord input in index.Inputs)
        {
            if (input is null) return "inputs holds null";
            if (string.IsNullOrEmpty(input.Input) || string.IsNullOrEmpty(input.VideoId) || string.IsNullOrEmpty(input.Split))
                return $"input '{input.Input}' has an empty input, video_id or split";
            if (input.Sha256 is not null && !IsSha256Hex(input.Sha256)) return $"input '{input.Input}' sha256 '{input.Sha256}' is not 64 lowercase hex digits";
            if (input.Rows < 0) return $"input '{input.Input}' has negative rows";
            string? missing = input.Shards.FirstOrDefault(f => !names.Contains(f));
            if (missing is not null) return $"input '{input.Input}' refers to shard '{missing}' that the index does not list";
        }

        IndexTotals totals = index.Totals;
        if (totals.Inputs < 0 || totals.Rows < 0 || totals.Quarantined < 0) return "totals hold a negative count";
        if (totals.Rows != rows) return $"totals.rows is {totals.Rows} but the shards hold {rows}";
        if (totals.Quarantined != index.Quarantine.Count) return $"totals.quarantined is {totals.Quarantined} but quarantine lists {index.Quarantine.Count}";
        if (totals.Inputs < totals.Quarantined) return $"totals.inputs {totals.Inputs} is less than totals.quarantined {totals.Quarantined}";
        return null;
    }

    private static string? ConfigProblem(PrepareConfig c)
    {
        if (c.ClipLength is < 1 or > ShardLayout.MaxClipLength) return $"config.clip_length {c.ClipLength} is outside 1..{ShardLayout.MaxClipLength}";
        if (c.Stride < 1) return $"config.stride {c.Stride} is not positive";
        if (c.ClipsPerVideo < 1) return $"config.clips_per_video {c.ClipsPerVideo} is not positive";
        if (!PrepareConfig.ClipModes.Contains(c.ClipMode)) return $"config.clip_mode '{c.ClipMode}' is not one of {string.Join(", ", PrepareConfig.ClipModes)}";
        if (!PrepareConfig.SamplingModes.Contains(c.SamplingMode)) return $"config.sampling_mode '{c.SamplingMode}' is not one of {string.Join(", ", PrepareConfig.SamplingModes)}";
        if (c.SampledFrames < 1 || c.SampledFrames > c.ClipLength) return $"config.sampled_frames {c.SampledFrames} is outside 1..clip_length";
        if (c.JpegQuality is < 1 or > 100) return $"config.jpeg_quality {c.JpegQuality} is outside 1..100";
        if (c.ShortSide < 1) return $"config.short_side {c.ShortSide} is not positive";
        if (c.ShardSizeBytes < 1) return $"config.shard_size_bytes {c.ShardSizeBytes} is not positive";
        return null;
    }

    private static bool IsSha256Hex(string? s) => s is { Length: 64 } && s.All(ch => ch is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static InvalidDataException Invalid(string source, string reason, Exception? inner = null) =>
        new($"shard index '{source}' is invalid: {reason}", inner);
}
