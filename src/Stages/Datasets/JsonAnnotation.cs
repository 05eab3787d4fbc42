using System.Text.Json;

namespace CrossVideoMAE.Stages.Datasets;

/// <summary>
/// Walks a JSON annotation file value by value while keeping track of line numbers, so that an
/// error in one entry can name its line (JsonElement forgets where it came from).
/// </summary>
internal sealed class JsonAnnotation
{
    private readonly byte[] _bytes;
    private readonly List<int> _newlines = [];

    public string File { get; }

    private JsonAnnotation(string file, byte[] bytes)
    {
        File = file;
        _bytes = bytes;
        for (int i = 0; i < bytes.Length; i++) if (bytes[i] == (byte)'\n') _newlines.Add(i);
    }

    public static async Task<JsonAnnotation> LoadAsync(string path, CancellationToken ct)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"annotation file not found: {path}", path);
        return new JsonAnnotation(path, await System.IO.File.ReadAllBytesAsync(path, ct).ConfigureAwait(false));
    }

    /// <summary>1-based line of a byte offset.</summary>
    public int LineOf(long offset)
    {
        int i = _newlines.BinarySearch((int)Math.Min(offset, int.MaxValue));
        return (i >= 0 ? i : ~i) + 1;
    }

    /// <summary>Every element of the top-level array with the line it starts on.</summary>
    public List<(int Line, JsonElement Value)> ArrayItems()
    {
        var items = new List<(int, JsonElement)>();
        Walk(JsonTokenType.StartArray, "an array of entries", (ref Utf8JsonReader r) =>
        {
            int line = LineOf(r.TokenStartIndex);
            using var doc = JsonDocument.ParseValue(ref r);
            items.Add((line, doc.RootElement.Clone()));
        });
        return items;
    }

    /// <summary>Every property of the top-level object with the line it starts on.</summary>
    public List<(int Line, string Name, JsonElement Value)> ObjectProperties()
    {
        var items = new List<(int, string, JsonElement)>();
        Walk(JsonTokenType.StartObject, "an object", (ref Utf8JsonReader r) =>
        {
            int line = LineOf(r.TokenStartIndex);
            string name = r.GetString() ?? "";
            r.Read();
            using var doc = JsonDocument.ParseValue(ref r);
            items.Add((line, name, doc.RootElement.Clone()));
        });
        return items;
    }

    private delegate void ItemReader(ref Utf8JsonReader reader);

    private void Walk(JsonTokenType container, string expected, ItemReader onItem)
    {
        var reader = new Utf8JsonReader(_bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != container)
                throw new ManifestFormatException(File, 1, $"expected {expected} at the top level");
            JsonTokenType end = container == JsonTokenType.StartArray ? JsonTokenType.EndArray : JsonTokenType.EndObject;
            while (reader.Read() && reader.TokenType != end) onItem(ref reader);
            if (reader.TokenType != end) throw new ManifestFormatException(File, LineOf(_bytes.Length), "the JSON ends before its top-level value closes");
        }
        catch (JsonException e)
        {
            throw new ManifestFormatException(File, (int)(e.LineNumber ?? 0) + 1, $"invalid JSON: {e.Message}");
        }
    }
}
