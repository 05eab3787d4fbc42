using System.Text.Json;
using System.Text.Json.Serialization;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// The resume record of a prepare run (one JSON object per line, fsynced after each shard).
/// The header holds the fingerprint of the run: the settings, the version being written and the
/// digest of its <see cref="RefreshPlan"/> (every input's identity, label, split and action), so a
/// journal is resumed only by a run that would write exactly the same shards. A line is written only
/// after its shard was renamed into place, and names, by key (not by position), the unit where the
/// next shard starts and the rows of that unit already in earlier shards, plus the inputs whose rows
/// the shard holds (key -> rows).
/// </summary>
public sealed class PrepareJournal
{
    public sealed record Entry(
        [property: JsonPropertyName("shard")] ShardInfo Shard,
        [property: JsonPropertyName("next_unit")] string? NextUnit,
        [property: JsonPropertyName("skip_rows")] int SkipRows,
        [property: JsonPropertyName("quarantine")] IReadOnlyList<QuarantineEntry> Quarantine,
        [property: JsonPropertyName("videos")] IReadOnlyDictionary<string, long> Videos);

    private sealed record Header([property: JsonPropertyName("fingerprint")] string Fingerprint);

    private static readonly JsonSerializerOptions Json = new(ShardIndexFile.JsonOptions) { WriteIndented = false };

    public string Path { get; }
    public List<Entry> Entries { get; } = [];

    private PrepareJournal(string path) => Path = path;

    /// <summary>The journal a run with <paramref name="fingerprint"/> resumes (a torn last line from a kill is
    /// dropped), or null when there is none or it belongs to a run with another fingerprint.</summary>
    public static PrepareJournal? TryResume(string path, string fingerprint)
    {
        if (!File.Exists(path)) return null;
        string[] lines = File.ReadAllLines(path);
        Header? header = null;
        try { header = lines.Length > 0 ? JsonSerializer.Deserialize<Header>(lines[0], Json) : null; }
        catch (JsonException) { }
        if (header?.Fingerprint != fingerprint) return null;
        var journal = new PrepareJournal(path);
        for (int i = 1; i < lines.Length; i++)
        {
            try
            {
                journal.Entries.Add(JsonSerializer.Deserialize<Entry>(lines[i], Json) ?? throw new JsonException("empty"));
            }
            catch (JsonException) when (i == lines.Length - 1)
            {
                break;  // the line being written when the run was killed
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{i + 1}: damaged journal line ({e.Message})");
            }
        }
        return journal;
    }

    /// <summary>A new journal for a run with <paramref name="fingerprint"/> (replacing any other).</summary>
    public static PrepareJournal Start(string path, string fingerprint)
    {
        var journal = new PrepareJournal(path);
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(new Header(fingerprint), Json) + "\n");
        File.Move(tmp, path, overwrite: true);
        return journal;
    }

    /// <summary>Keeps the entries whose shard is on disk with its recorded size; returns how many were dropped.</summary>
    public int DropMissingShards(string directory)
    {
        int keep = 0;
        while (keep < Entries.Count)
        {
            var f = new FileInfo(ShardLocation.Resolve(directory, Entries[keep].Shard.File));
            if (!f.Exists || f.Length != Entries[keep].Shard.Bytes) break;
            keep++;
        }
        int dropped = Entries.Count - keep;
        Entries.RemoveRange(keep, dropped);
        if (dropped > 0) Rewrite();
        return dropped;
    }

    public void Append(Entry entry)
    {
        Entries.Add(entry);
        AppendLine(JsonSerializer.Serialize(entry, Json));
    }

    public void Delete() => File.Delete(Path);

    private void AppendLine(string line)
    {
        using var fs = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
    }

    private void Rewrite()
    {
        string header = File.ReadLines(Path).First();
        string tmp = Path + ".tmp";
        File.WriteAllLines(tmp, [header, .. Entries.Select(e => JsonSerializer.Serialize(e, Json))]);
        File.Move(tmp, Path, overwrite: true);
    }
}
