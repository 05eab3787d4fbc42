using System.Globalization;

namespace CrossVideoMAE.Stages.Datasets;

/// <summary>
/// Kinetics-400 (also 600/700) annotation CSVs: a header row naming at least
/// <c>youtube_id,time_start,time_end</c>, usually <c>label,youtube_id,time_start,time_end,split</c>
/// (extra columns such as <c>is_cc</c> are ignored). Without a <c>label</c> column the videos are
/// unlabelled; without a <c>split</c> column the split comes from the file name. The video id is
/// the file stem <c>&lt;youtube_id&gt;_&lt;start:06&gt;_&lt;end:06&gt;</c>; see <see cref="KineticsLayout"/>
/// for the folder layouts found on disk.
/// </summary>
public sealed class Kinetics400Reader(string videoRoot, IReadOnlyList<string> csvFiles, Kinetics400ReaderOptions? options = null) : IDatasetReader
{
    private readonly Kinetics400ReaderOptions _options = options ?? new Kinetics400ReaderOptions();

    public string Format => "kinetics400";

    private sealed record Row(string File, int Line, string? Label, string YoutubeId, int Start, int End, string Split)
    {
        public string VideoId => $"{YoutubeId}_{Start:D6}_{End:D6}";
    }

    public async Task<DatasetManifest> ReadAsync(CancellationToken ct = default)
    {
        if (csvFiles.Count == 0) throw new ArgumentException("at least one CSV file is needed", nameof(csvFiles));
        var rows = new List<Row>();
        foreach (string file in csvFiles) rows.AddRange(await ReadCsvAsync(file, ct).ConfigureAwait(false));

        IReadOnlyList<string> labels = _options.LabelNames
            ?? rows.Where(r => r.Label is not null).Select(r => r.Label!).Distinct().Order(StringComparer.Ordinal).ToList();
        var labelIndex = labels.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);

        KineticsLayout layout = _options.Layout == KineticsLayout.Auto ? DetectLayout(rows) : _options.Layout;
        var seen = new Dictionary<string, (string File, int Line)>(StringComparer.Ordinal);
        var entries = new List<VideoEntry>(rows.Count);
        foreach (Row r in rows)
        {
            if (!seen.TryAdd(r.VideoId, (r.File, r.Line)))
                throw new ManifestFormatException(r.File, r.Line, $"video {r.VideoId} is listed twice (first at {seen[r.VideoId].File}:{seen[r.VideoId].Line})");
            int label = VideoEntry.NoLabel;
            if (r.Label is not null && !labelIndex.TryGetValue(r.Label, out label))
                throw new ManifestFormatException(r.File, r.Line, $"label '{r.Label}' is not in the given class list");
            entries.Add(new VideoEntry(r.VideoId, ResolvePath(r, layout), label, r.Label ?? "", r.Split));
        }
        return new DatasetManifest(Format, labels, entries);
    }

    private static async Task<List<Row>> ReadCsvAsync(string file, CancellationToken ct)
    {
        List<(int Line, string Text)> lines = await AnnotationText.ReadLinesAsync(file, ct).ConfigureAwait(false);
        if (lines.Count == 0)
            throw new ManifestFormatException(file, 0, "the file is empty; expected a header such as label,youtube_id,time_start,time_end,split");
        string[] header = (CsvLine.Split(lines[0].Text) ?? []).Select(h => h.Trim()).ToArray();
        int Column(string name) => Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
        int cLabel = Column("label"), cId = Column("youtube_id"), cStart = Column("time_start"), cEnd = Column("time_end"), cSplit = Column("split");
        if (cId < 0 || cStart < 0 || cEnd < 0)
            throw new ManifestFormatException(file, lines[0].Line, $"the header '{lines[0].Text}' lacks youtube_id, time_start or time_end");
        int needed = new[] { cLabel, cId, cStart, cEnd, cSplit }.Max() + 1;
        string? fileSplit = DatasetSplits.FromFileName(file);

        var rows = new List<Row>(lines.Count - 1);
        foreach ((int line, string text) in lines.Skip(1))
        {
            ct.ThrowIfCancellationRequested();
            string[] record = CsvLine.Split(text) ?? throw new ManifestFormatException(file, line, "a quoted field is not closed");
            if (record.Length < needed)
                throw new ManifestFormatException(file, line, $"expected {header.Length} fields, found {record.Length}");

            string id = record[cId].Trim();
            if (VideoFiles.UnsafeName(id) is string bad) throw new ManifestFormatException(file, line, $"youtube_id: {bad}");
            int start = Seconds(file, line, "time_start", record[cStart]);
            int end = Seconds(file, line, "time_end", record[cEnd]);
            if (end <= start) throw new ManifestFormatException(file, line, $"time_end {end} is not after time_start {start}");

            string? label = cLabel >= 0 ? record[cLabel].Trim() : null;
            if (label is { Length: 0 }) label = null;
            if (label is not null && VideoFiles.UnsafeName(label) is string badLabel)
                throw new ManifestFormatException(file, line, $"label: {badLabel}");

            string? split = cSplit >= 0 ? DatasetSplits.Normalise(record[cSplit]) : fileSplit;
            if (split is null)
                throw new ManifestFormatException(file, line, cSplit >= 0
                    ? $"unknown split '{record[cSplit]}' (expected train, val/validate or test)"
                    : "no split column and the file name names no split");
            rows.Add(new Row(file, line, label, id, start, end, split));
        }
        return rows;
    }

    private static int Seconds(string file, int line, string column, string text)
    {
        // Integral seconds; "12.0" is accepted because some tools rewrite the CSVs with floats.
        if (!decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) || d < 0 || d != decimal.Truncate(d) || d > 999_999)
            throw new ManifestFormatException(file, line, $"{column} '{text}' is not a whole number of seconds in 0..999999");
        return (int)d;
    }

    private static readonly KineticsLayout[] Candidates =
        [KineticsLayout.SplitLabel, KineticsLayout.SplitLabelUnderscore, KineticsLayout.Label, KineticsLayout.LabelUnderscore, KineticsLayout.Split, KineticsLayout.Flat];

    // The first layout under which some row's file exists; SplitLabel when none exists at all.
    private KineticsLayout DetectLayout(List<Row> rows)
    {
        foreach (Row r in rows)
            foreach (KineticsLayout layout in Candidates)
            {
                if (r.Label is null && layout is not (KineticsLayout.Split or KineticsLayout.Flat)) continue;
                if (ExistingFile(r, layout) is not null) return layout;
            }
        return KineticsLayout.SplitLabel;
    }

    private string ResolvePath(Row r, KineticsLayout layout)
        => ExistingFile(r, layout) ?? Path.Combine(Folder(r, layout), r.VideoId + _options.Extensions[0]);

    private string? ExistingFile(Row r, KineticsLayout layout)
    {
        string folder = Folder(r, layout);
        foreach (string ext in _options.Extensions)
        {
            string path = Path.Combine(folder, r.VideoId + ext);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    // Unlabelled rows (the test split) have no label folder; the crawler puts them under "test".
    private string Folder(Row r, KineticsLayout layout)
    {
        string label = r.Label ?? "";
        return layout switch
        {
            KineticsLayout.SplitLabel => Path.Combine(videoRoot, r.Split, label),
            KineticsLayout.SplitLabelUnderscore => Path.Combine(videoRoot, r.Split, label.Replace(' ', '_')),
            KineticsLayout.Label => Path.Combine(videoRoot, label),
            KineticsLayout.LabelUnderscore => Path.Combine(videoRoot, label.Replace(' ', '_')),
            KineticsLayout.Split => Path.Combine(videoRoot, r.Split),
            _ => videoRoot,
        };
    }
}
