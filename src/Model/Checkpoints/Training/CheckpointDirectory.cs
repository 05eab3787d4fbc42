using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CrossVideoMAE.Model.Checkpoints.Training;

/// <summary>One checkpoint file found in a directory.</summary>
public sealed record CheckpointFile(long Step, string Path);

/// <summary>The outcome of looking for the checkpoint to resume from.</summary>
public sealed record CheckpointDiscovery(CheckpointFile? Latest, IReadOnlyList<string> Rejected);

/// <summary>
/// The naming scheme <c>ckpt-{step:D8}.safetensors</c> and discovery of the newest complete
/// checkpoint for --resume. Temporary files from interrupted writes never match the scheme;
/// a file that matches but is incomplete or foreign (truncated copy, other format) is rejected
/// with its reason and the next older one is tried.
/// </summary>
public static partial class CheckpointDirectory
{
    [GeneratedRegex(@"^ckpt-(\d{1,18})\.safetensors$")]
    private static partial Regex Name();

    public static string FileName(long step) => $"ckpt-{step.ToString("D8", CultureInfo.InvariantCulture)}.safetensors";

    /// <summary>Every file in <paramref name="directory"/> that follows the naming scheme, newest step first.</summary>
    public static IReadOnlyList<CheckpointFile> List(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        var files = new List<CheckpointFile>();
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            Match m = Name().Match(System.IO.Path.GetFileName(path));
            if (m.Success) files.Add(new CheckpointFile(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), path));
        }
        return files.OrderByDescending(f => f.Step).ThenBy(f => f.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>The newest checkpoint that is complete and ours, plus why newer candidates were passed over.</summary>
    public static CheckpointDiscovery FindLatest(string directory)
    {
        var rejected = new List<string>();
        foreach (CheckpointFile f in List(directory))
        {
            string? problem = Inspect(f);
            if (problem is null) return new CheckpointDiscovery(f, rejected);
            rejected.Add(problem.StartsWith(f.Path, StringComparison.Ordinal) ? problem : $"{f.Path}: {problem}");
        }
        return new CheckpointDiscovery(null, rejected);
    }

    /// <summary>Deletes complete checkpoints older than the newest <paramref name="keep"/>; returns the deleted paths.
    /// Incomplete files are left for inspection.</summary>
    public static IReadOnlyList<string> Prune(string directory, int keep)
    {
        if (keep < 1) throw new ArgumentOutOfRangeException(nameof(keep), "at least one checkpoint must be kept");
        var complete = List(directory).Where(f => Inspect(f) is null).ToList();
        var deleted = new List<string>();
        foreach (CheckpointFile f in complete.Skip(keep))
        {
            File.Delete(f.Path);
            deleted.Add(f.Path);
        }
        return deleted;
    }

    // Reads only the header: the length prefix, the JSON, the metadata, and whether the file is as long as the
    // header's byte ranges say. Null when the file is a complete checkpoint of the step its name gives.
    private static string? Inspect(CheckpointFile f)
    {
        try
        {
            using var fs = new FileStream(f.Path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (fs.Length < 8) return "shorter than a safetensors header";
            Span<byte> len = stackalloc byte[8];
            fs.ReadExactly(len);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
            if (headerLength > (ulong)(fs.Length - 8) || headerLength > 100UL << 20) return $"header length {headerLength} does not fit the file";
            var header = new byte[headerLength];
            fs.ReadExactly(header);

            using JsonDocument doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return "header is not a JSON object";
            long dataEnd = 0;
            var metadata = new Dictionary<string, string>();
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object) return "__metadata__ is not an object";
                    foreach (JsonProperty m in p.Value.EnumerateObject())
                        if (m.Value.ValueKind == JsonValueKind.String) metadata[m.Name] = m.Value.GetString()!;
                    continue;
                }
                if (p.Value.ValueKind != JsonValueKind.Object || !p.Value.TryGetProperty("data_offsets", out JsonElement off)
                    || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2 || !off[1].TryGetInt64(out long end))
                    return $"entry '{p.Name}' has no data_offsets";
                dataEnd = Math.Max(dataEnd, end);
            }
            long expected = 8 + (long)headerLength + dataEnd;
            if (fs.Length != expected) return $"file is {fs.Length} bytes but its header describes {expected} (incomplete)";

            TrainingProgress progress = TrainingCheckpoint.FromMetadata(f.Path, metadata);
            if (progress.Step != f.Step) return $"metadata step {progress.Step} differs from the file name's {f.Step}";
            return null;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
