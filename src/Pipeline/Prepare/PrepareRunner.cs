using System.Diagnostics;
using CrossVideoMAE.Stages.Clips;
using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>What a finished prepare run reports (also written as JSON for nightly runs).</summary>
public sealed record PrepareSummary(string Index, int Inputs, long Rows, int Quarantined, int Shards, long Bytes,
    double Seconds, double VideosPerSecond, double ClipsPerSecond, long PeakRssBytes, bool Resumed);

/// <summary>
/// Runs `cvmae prepare`: reads the manifest, resumes from the journal if a run was interrupted,
/// drives the graph, and writes index.json last (atomically). Every input ends either in a
/// shard or in the quarantine list with its stage and reason.
/// </summary>
public sealed class PrepareRunner(PrepareOptions options, Action<string>? log = null)
{
    private readonly Action<string> log = log ?? (_ => { });

    public string IndexPath => Path.Combine(options.OutDir, options.Partition.Count == 1
        ? ShardIndexFile.FileName
        : $"index{options.Partition.Tag}.json");

    private string Prefix => options.Name + options.Partition.Tag;

    public async Task<PrepareSummary> RunAsync(Action<PrepareProgress>? onProgress = null, CancellationToken ct = default)
    {
        options.Validate();
        Directory.CreateDirectory(options.OutDir);
        var (manifest, inputs) = await DatasetSource.LoadAsync(options, ct);
        log($"{inputs.Count} input videos ({manifest.Format}, {manifest.LabelNames.Count} classes{(options.Partition.Count > 1 ? $", part {options.Partition.Index + 1} of {options.Partition.Count}" : "")})");

        var journal = PrepareJournal.Open(Path.Combine(options.OutDir, $".prepare-journal{options.Partition.Tag}.jsonl"), options.Fingerprint());
        int dropped = journal.DropMissingShards(options.OutDir);
        if (dropped > 0) log($"{dropped} journal entries had no complete shard on disk; redoing them");
        RemoveUnrecordedShards(journal);

        PrepareJournal.Entry? last = journal.Entries.LastOrDefault();
        int startInput = last?.NextInput ?? 0;
        int skipRows = last?.SkipRows ?? 0;
        bool resumed = last is not null;
        if (resumed) log($"resuming after {journal.Entries.Count} complete shards, at input {startInput} of {inputs.Count}");

        var progress = new PrepareProgress(inputs.Count, startInput);
        var quarantineSinceShard = new List<QuarantineEntry>();
        var layout = new ShardLayout(options.ClipLength, options.SampledFrames);
        var extractor = new ClipExtractor(options.ClipExtraction());
        var clock = Stopwatch.StartNew();

        await using (var writer = new ShardWriter(options.OutDir, Prefix, layout, new ShardWriterOptions
                     {
                         MaxShardBytes = options.ShardSizeBytes,
                         FirstSequence = journal.Entries.Count,
                     }))
        {
            async Task Write(VideoOutcome o)
            {
                if (o.Quarantined is not null) quarantineSinceShard.Add(o.Quarantined);
                int skip = o.Ordinal == startInput ? skipRows : 0;
                for (int r = skip; r < o.Rows.Count; r++)
                {
                    ShardInfo? finished = await writer.AppendAsync(o.Rows[r], ct);
                    if (finished is not null)
                    {
                        // Row r went to a new shard: the finished one ends just before it.
                        journal.Append(new PrepareJournal.Entry(finished, o.Ordinal, r, quarantineSinceShard.ToList()));
                        quarantineSinceShard.Clear();
                    }
                }
                progress.Add(o);
                onProgress?.Invoke(progress);
            }

            var work = inputs.Select((e, i) => (i, e)).Skip(startInput);
            RemoveScratch();
            try
            {
                await PrepareGraph.RunAsync(work, inputs.Count - startInput, extractor, options.Parallelism, options.DecodeBatch, Write, ct);
            }
            finally
            {
                RemoveScratch();
            }
            ShardInfo? lastShard = await writer.CompleteAsync(ct);
            if (lastShard is not null)
            {
                journal.Append(new PrepareJournal.Entry(lastShard, inputs.Count, 0, quarantineSinceShard.ToList()));
                quarantineSinceShard.Clear();
            }
        }

        // Quarantines after the last shard (a tail of bad inputs) are still accounted for.
        var quarantine = journal.Entries.SelectMany(e => e.Quarantine).Concat(quarantineSinceShard).ToList();
        var shards = journal.Entries.Select(e => e.Shard).ToList();
        var index = new ShardIndex
        {
            SchemaVersion = ShardIndex.CurrentSchemaVersion,
            Dataset = options.Name,
            Created = DateTimeOffset.UtcNow,
            ToolVersion = ToolVersion,
            Config = new PrepareConfig
            {
                ClipLength = options.ClipLength, Stride = options.Stride, ClipsPerVideo = options.ClipsPerVideo,
                SamplingMode = options.Selection.ToString().ToLowerInvariant(), SampledFrames = options.SampledFrames,
                JpegQuality = options.JpegQuality, ShortSide = options.ShortSide, Seed = (long)options.Seed,
                ShardSizeBytes = options.ShardSizeBytes,
            },
            Labels = manifest.LabelNames.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i),
            Shards = shards,
            Quarantine = quarantine,
            Totals = new IndexTotals(inputs.Count, shards.Sum(s => s.Rows), quarantine.Count),
        };
        await ShardIndexFile.SaveAsync(IndexPath, index, ct);

        using var self = Process.GetCurrentProcess();
        return new PrepareSummary(IndexPath, inputs.Count, index.Totals.Rows, quarantine.Count, shards.Count,
            shards.Sum(s => s.Bytes), clock.Elapsed.TotalSeconds, progress.VideosPerSecond, progress.ClipsPerSecond,
            PeakRss(), resumed);
    }

    public static string ToolVersion => typeof(PrepareRunner).Assembly.GetName().Version?.ToString() ?? "0";

    // Shard files of this run that the journal does not list (killed between rename and journal
    // write) and temporary files are removed: they will be written again, identically.
    private void RemoveUnrecordedShards(PrepareJournal journal)
    {
        var recorded = journal.Entries.Select(e => e.Shard.File).ToHashSet();
        foreach (string f in Directory.EnumerateFiles(options.OutDir, Prefix + "-*"))
        {
            string name = Path.GetFileName(f);
            bool ours = name.EndsWith(ShardFileName.Extension) || name.EndsWith(ShardFileName.Extension + ".tmp");
            if (ours && !recorded.Contains(name)) File.Delete(f);
        }
    }

    // Decoded frames a shared ffmpeg run left behind (a killed run leaves its last ones).
    private void RemoveScratch()
    {
        if (Directory.Exists(options.ScratchDir)) Directory.Delete(options.ScratchDir, recursive: true);
    }

    /// <summary>Peak resident set size of this process (VmHWM), 0 where /proc is missing.</summary>
    public static long PeakRss()
    {
        try
        {
            string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:"));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { return 0; }
    }
}
