using System.Diagnostics;
using CrossVideoMAE.Stages.Clips;
using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>What a finished prepare run reports (also written as JSON for nightly runs). Added, removed,
/// changed and kept count inputs against the previous version; decoded counts the inputs this invocation
/// decoded, copied_rows the rows it copied from the previous version's shards.</summary>
public sealed record PrepareSummary(string Index, int Inputs, long Rows, int Quarantined, int Shards, long Bytes,
    double Seconds, double VideosPerSecond, double ClipsPerSecond, long PeakRssBytes, bool Resumed,
    int Version, int Added, int Removed, int Changed, int Kept, int Decoded, long CopiedRows, int ShardsRemoved);

/// <summary>
/// Runs `cvmae prepare`: reads the manifest, fingerprints every input, compares with the previous
/// version of index.json (<see cref="RefreshPlan"/>), resumes from the journal if the same run was
/// interrupted, writes new shards (decoded inputs and rows copied from old shards; old shards that are
/// still valid stay as they are), writes the new version's index and switches index.json to it
/// atomically, and only then removes shards no kept version lists. Every input ends either in a shard
/// or in the quarantine list with its stage and reason.
/// </summary>
public sealed class PrepareRunner(PrepareOptions options, Action<string>? log = null)
{
    private readonly Action<string> log = log ?? (_ => { });

    private string IndexFileName => options.Partition.Count == 1 ? ShardIndexFile.FileName : $"index{options.Partition.Tag}.json";

    public string IndexPath => Path.Combine(options.OutDir, IndexFileName);

    private string Prefix => options.Name + options.Partition.Tag;

    public async Task<PrepareSummary> RunAsync(Action<PrepareProgress>? onProgress = null, CancellationToken ct = default)
    {
        options.Validate();
        Directory.CreateDirectory(options.OutDir);
        var clock = Stopwatch.StartNew();
        var (manifest, entries) = await DatasetSource.LoadAsync(options, ct);
        log($"{entries.Count} input videos ({manifest.Format}, {manifest.LabelNames.Count} classes{(options.Partition.Count > 1 ? $", part {options.Partition.Index + 1} of {options.Partition.Count}" : "")})");

        var versions = new IndexVersions(options.OutDir, IndexFileName, Prefix);
        PrepareConfig config = Config();
        ShardIndex? previous = await PreviousAsync(config, ct);
        int version = (previous?.Version ?? versions.Versions().FirstOrDefault()) + 1;

        InputIdentity[] identities = await InputIdentity.ComputeAsync(entries, DatasetSource.VideoRoot(options), options.Parallelism, ct);
        RefreshPlan plan = RefreshPlan.Create(entries, identities, previous);
        if (previous is not null)
            log($"version {version} against {previous.Version}: {plan.Changes.Added} added, {plan.Changes.Removed} removed, {plan.Changes.Changed} changed, " +
                $"{plan.Changes.Kept} kept; {plan.ToDecode} to decode, {plan.KeptShards.Count} shards kept");

        string journalPath = Path.Combine(options.OutDir, $".prepare-journal{options.Partition.Tag}.jsonl");
        string fingerprint = $"{options.Fingerprint()}|v{version}|{plan.Digest()}";
        PrepareJournal? resumedJournal = PrepareJournal.TryResume(journalPath, fingerprint);
        if (resumedJournal is null && File.Exists(journalPath)) log("an interrupted run with other inputs or settings is discarded");
        PrepareJournal journal = resumedJournal ?? PrepareJournal.Start(journalPath, fingerprint);
        int dropped = journal.DropMissingShards(options.OutDir);
        if (dropped > 0) log($"{dropped} journal entries had no complete shard on disk; redoing them");
        // Shards of killed runs that no version or this journal lists, and temporary files, are removed:
        // the resumed run writes them again, identically.
        await versions.CollectAsync(int.MaxValue, journal.Entries.Select(e => e.Shard.File), ignoreUnreadable: options.Rebuild, ct);

        var writer = new PlanWriter(options, plan, journal, versions, version, previous?.Quarantine ?? [], ct);
        bool resumed = journal.Entries.Count > 0;
        if (resumed) log($"resuming after {journal.Entries.Count} complete shards, at {(writer.NextUnit < plan.Units.Count ? plan.Units[writer.NextUnit].Key : "the end")}");

        var decode = Enumerable.Range(writer.NextUnit, plan.Units.Count - writer.NextUnit)
            .Where(i => plan.Units[i] is InputUnit { Input.Action: InputAction.Decode })
            .Select(i => (i, ((InputUnit)plan.Units[i]).Input.Entry)).ToList();
        var progress = new PrepareProgress(plan.ToDecode, plan.ToDecode - decode.Count);
        var extractor = new ClipExtractor(options.ClipExtraction());
        RemoveScratch();
        try
        {
            await PrepareGraph.RunAsync(decode, decode.Count, extractor, options.Parallelism, options.DecodeBatch, async o =>
            {
                await writer.WriteDecodedAsync(o);
                progress.Add(o);
                onProgress?.Invoke(progress);
            }, ct);
            await writer.FinishAsync();
        }
        finally
        {
            await writer.DisposeAsync();
            RemoveScratch();
        }

        ShardIndex index = Assemble(manifest, config, plan, journal, writer, version);
        await versions.PublishAsync(index, ct);
        journal.Delete();
        int removed = await versions.CollectAsync(options.KeepVersions, [], ignoreUnreadable: false, ct);
        if (removed > 0) log($"removed {removed} shards no kept version lists (--keep-versions {options.KeepVersions})");

        return new PrepareSummary(IndexPath, entries.Count, index.Totals.Rows, index.Quarantine.Count, index.Shards.Count,
            index.Shards.Sum(s => s.Bytes), clock.Elapsed.TotalSeconds, progress.VideosPerSecond, progress.ClipsPerSecond,
            PeakRss(), resumed, version, plan.Changes.Added, plan.Changes.Removed, plan.Changes.Changed, plan.Changes.Kept,
            decode.Count, writer.CopiedRows, removed);
    }

    private PrepareConfig Config() => new()
    {
        ClipLength = options.ClipLength, Stride = options.Stride, ClipMode = options.ClipMode.ToString().ToLowerInvariant(),
        ClipsPerVideo = options.ClipsPerVideo, SamplingMode = options.Selection.ToString().ToLowerInvariant(),
        SampledFrames = options.SampledFrames, JpegQuality = options.JpegQuality, ShortSide = options.ShortSide,
        Seed = (long)options.Seed, ShardSizeBytes = options.ShardSizeBytes,
    };

    // The current version, when this run may build on it: a setting that alters rows refuses the run
    // (unless --rebuild, which builds on nothing).
    private async Task<ShardIndex?> PreviousAsync(PrepareConfig config, CancellationToken ct)
    {
        if (!File.Exists(IndexPath)) return null;
        ShardIndex previous;
        try
        {
            previous = await ShardIndexFile.LoadAsync(IndexPath, ct);
        }
        catch (InvalidDataException) when (options.Rebuild)
        {
            return null;
        }
        if (options.Rebuild) return previous with { Inputs = [], Shards = [], Quarantine = [] };
        string? difference = previous.Config.RowSettingDifference(config);
        if (difference is null && previous.Dataset != options.Name) difference = $"name ('{previous.Dataset}' before, '{options.Name}' now)";
        if (difference is not null)
            throw new InvalidOperationException(
                $"{IndexPath} holds a dataset prepared with other settings: {difference}. Rows would differ from the existing ones; " +
                "pass --rebuild to prepare every input again into a new version, or use another --out folder");
        return previous;
    }

    private ShardIndex Assemble(DatasetManifest manifest, PrepareConfig config, RefreshPlan plan, PrepareJournal journal, PlanWriter writer, int version)
    {
        var newShards = journal.Entries.Select(e => e.Shard).ToList();
        var shards = plan.KeptShards.Concat(newShards).OrderBy(s => s.Split, StringComparer.Ordinal).ToList();
        var quarantine = journal.Entries.SelectMany(e => e.Quarantine).Concat(writer.PendingQuarantine).ToList();
        var newShardsOf = journal.Entries.SelectMany(e => e.Videos.Select(v => (key: v.Key, file: e.Shard.File, rows: v.Value)))
            .GroupBy(x => x.key).ToDictionary(g => g.Key, g => g.ToList());
        var kept = plan.KeptShards.Select(s => s.File).ToHashSet();
        var records = plan.Inputs.Select(p =>
        {
            var fresh = newShardsOf.GetValueOrDefault(p.Key) ?? [];
            bool reused = p.Action is InputAction.Keep or InputAction.Copy;
            return new InputRecord
            {
                Input = p.Identity.RelativePath, Sha256 = p.Identity.Sha256, VideoId = p.Entry.VideoId, Split = p.Entry.Split,
                Label = p.Entry.Label, LabelName = p.Entry.LabelName, SourcePath = p.Entry.Path,
                Rows = reused ? p.Old!.Rows : fresh.Sum(x => x.rows),
                Shards = (reused ? p.Old!.Shards.Where(kept.Contains) : []).Concat(fresh.Select(x => x.file)).Distinct().ToList(),
            };
        }).ToList();
        long rows = shards.Sum(s => s.Rows);
        if (records.Sum(r => r.Rows) != rows)
            throw new InvalidOperationException($"{IndexPath}: the inputs account for {records.Sum(r => r.Rows)} rows but the shards hold {rows}; the previous version's index does not match its shards");
        var videos = records.Where(r => r.Rows > 0).GroupBy(r => r.Split).ToDictionary(g => g.Key, g => (long)g.Count());
        return new ShardIndex
        {
            SchemaVersion = ShardIndex.CurrentSchemaVersion,
            Dataset = options.Name,
            Version = version,
            Created = DateTimeOffset.UtcNow,
            ToolVersion = ToolVersion,
            Config = config,
            Partition = new IndexPartition(options.Partition.Index, options.Partition.Count),
            Labels = manifest.LabelNames.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i),
            Shards = shards,
            Splits = ShardIndex.SplitTotalsOf(shards, videos),
            Quarantine = quarantine,
            Totals = new IndexTotals(plan.Inputs.Count, rows, quarantine.Count),
            Changes = plan.Changes,
            Inputs = records,
        };
    }

    public static string ToolVersion => typeof(PrepareRunner).Assembly.GetName().Version?.ToString() ?? "0";

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
