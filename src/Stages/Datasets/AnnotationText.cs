namespace CrossVideoMAE.Stages.Datasets;

/// <summary>Reads a text annotation file line by line with 1-based line numbers, skipping blank lines.</summary>
internal static class AnnotationText
{
    public static async Task<List<(int Line, string Text)>> ReadLinesAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"annotation file not found: {path}", path);
        var lines = new List<(int, string)>();
        int number = 0;
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is string line)
        {
            number++;
            string text = line.Trim();
            if (text.Length > 0) lines.Add((number, text));
        }
        return lines;
    }

    public static string[] Fields(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
