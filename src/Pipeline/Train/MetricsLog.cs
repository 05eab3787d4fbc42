using System.Text.Json;

namespace CrossVideoMAE.Pipeline.Train;

/// <summary>Appends one JSON object per line to metrics.jsonl, flushed per record so a killed run keeps what it logged.</summary>
public sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter writer;

    public MetricsLog(string path, bool append)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        writer = new StreamWriter(new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read));
    }

    public void Write(IReadOnlyDictionary<string, object> record)
    {
        writer.WriteLine(JsonSerializer.Serialize(record));
        writer.Flush();
    }

    /// <summary>Reads every record of a metrics file (for reports); malformed lines name the file and line.</summary>
    public static List<Dictionary<string, JsonElement>> Read(string path)
    {
        var result = new List<Dictionary<string, JsonElement>>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                result.Add(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(text)
                           ?? throw new JsonException("not an object"));
            }
            catch (JsonException e)
            {
                // The last line of a killed run may be cut short; anything else is an error.
                if (line == File.ReadLines(path).Count()) break;
                throw new InvalidDataException($"{path}:{line}: not a JSON object ({e.Message})");
            }
        }
        return result;
    }

    /// <summary>A killed run may have logged steps after its last checkpoint; before the resumed run logs
    /// them again, keep only the records whose "step" is at most <paramref name="lastStep"/>.</summary>
    public static void KeepUpTo(string path, long lastStep)
    {
        if (!File.Exists(path)) return;
        var keep = File.ReadLines(path).Where(line =>
        {
            if (string.IsNullOrWhiteSpace(line)) return false;
            try
            {
                using JsonDocument d = JsonDocument.Parse(line);
                return d.RootElement.TryGetProperty("step", out JsonElement s) && s.GetInt64() <= lastStep;
            }
            catch (JsonException) { return false; }
        }).ToList();
        string tmp = path + ".tmp";
        File.WriteAllLines(tmp, keep);
        File.Move(tmp, path, overwrite: true);
    }

    public void Dispose() => writer.Dispose();
}
