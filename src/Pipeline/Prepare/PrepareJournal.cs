using System.Text.Json;
using System.Text.Json.Serialization;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// The resume record of a prepare run (one JSON object per line, fsynced after each shard).
/// A line is written only after its shard was renamed into place, and names the point where
/// the next shard starts: input ordinal and rows of that input already in earlier shards.
/// Shards roll at the same rows in every run with the same settings, so a resumed run that
/// restarts there writes exactly the bytes an uninterrupted run would have.
/// </summary>
public sealed class PrepareJournal
{
    public sealed record Entry(
        [property: JsonPropertyName("shard")] ShardInfo Shard,
        [property: JsonPropertyName("next_input")] int NextInput,
        [property: JsonPropertyName("skip_rows")] int SkipRows,
        [property: JsonPropertyName("quarantine")] IReadOnlyList<QuarantineEntry> Quarantine);

    private sealed record Header([property: JsonPropertyName("fingerprint")] string Fingerprint);

    private static readonly JsonSerializerOptions Json = new(ShardIndexFile.JsonOptions) { WriteIndented = false };

    public string Path { get; }
    public List<Entry> Entries { get; } = [];

    private PrepareJournal(string path) => Path = path;

    /// <summary>Opens the journal of a run with <paramref name="fingerprint"/>: an existing one is read
    /// (a torn last line from a kill is dropped); one written with other settings is refused.</summary>
    public static PrepareJournal Open(string path, string fingerprint)
    {
        var journal = new PrepareJournal(path);
        if (!File.Exists(path))
        {
            journal.AppendLine(JsonSerializer.Serialize(new Header(fingerprint), Json));
            return journal;
        }
        string[] lines = File.ReadAllLines(path);
        Header? header = null;
        try { header = lines.Length > 0 ? JsonSerializer.Deserialize<Header>(lines[0], Json) : null; }
        catch (JsonException) { }
        if (header?.Fingerprint != fingerprint)
            throw new InvalidOperationException(
                $"{System.IO.Path.GetDirectoryName(path)} holds a prepare run with other settings ({path}); use another --out folder or remove it");
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

    /// <summary>Keeps the entries whose shard is on disk with its recorded size; returns how many were dropped.</summary>
    public int DropMissingShards(string directory)
    {
        int keep = 0;
        while (keep < Entries.Count)
        {
            var f = new FileInfo(System.IO.Path.Combine(directory, Entries[keep].Shard.File));
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
