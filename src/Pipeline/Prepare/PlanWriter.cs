using CrossVideoMAE.Stages.Clips;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// The write loop of a prepare run: takes the units of a <see cref="RefreshPlan"/> in order (decoded
/// inputs arrive from the graph in order; copies and reused quarantine entries are done here, in
/// between) and appends their rows to one shard writer per split, a split after another. Each
/// finished shard is journaled with the unit (by key) and row where the next shard starts, the
/// quarantine entries since the previous shard and the inputs whose rows it holds. Single-threaded.
/// </summary>
public sealed class PlanWriter : IAsyncDisposable
{
    private readonly PrepareOptions options;
    private readonly RefreshPlan plan;
    private readonly PrepareJournal journal;
    private readonly IndexVersions versions;
    private readonly int version;
    private readonly IReadOnlyList<QuarantineEntry> previousQuarantine;
    private readonly CancellationToken ct;
    private readonly int skipRows;
    private readonly List<QuarantineEntry> pendingQuarantine = [];
    private Dictionary<string, long> openVideos = [];
    private ShardWriter? writer;
    private string? writerSplit;
    private int cursor;

    public PlanWriter(PrepareOptions options, RefreshPlan plan, PrepareJournal journal, IndexVersions versions, int version,
        IReadOnlyList<QuarantineEntry> previousQuarantine, CancellationToken ct)
    {
        (this.options, this.plan, this.journal, this.versions, this.version, this.previousQuarantine, this.ct) =
            (options, plan, journal, versions, version, previousQuarantine, ct);
        PrepareJournal.Entry? last = journal.Entries.LastOrDefault();
        if (last is not null)
        {
            cursor = last.NextUnit is null ? plan.Units.Count : IndexOf(last.NextUnit);
            skipRows = last.SkipRows;
        }
        NextUnit = cursor;
    }

    /// <summary>The unit this run starts at (after the journal's complete shards).</summary>
    public int NextUnit { get; }

    /// <summary>Rows copied from the previous version's shards by this invocation.</summary>
    public long CopiedRows { get; private set; }

    /// <summary>Quarantine entries after the last journaled shard (a tail of bad inputs).</summary>
    public IReadOnlyList<QuarantineEntry> PendingQuarantine => pendingQuarantine;

    /// <summary>Writes a decoded input (unit <see cref="VideoOutcome.Ordinal"/>), after the units before it.</summary>
    public async Task WriteDecodedAsync(VideoOutcome o)
    {
        await AdvanceToAsync(o.Ordinal);
        if (o.Quarantined is not null) pendingQuarantine.Add(o.Quarantined);
        string key = ((InputUnit)plan.Units[o.Ordinal]).Input.Key;
        int skip = o.Ordinal == NextUnit ? skipRows : 0;
        for (int r = skip; r < o.Rows.Count; r++) await AppendAsync(o.Rows[r], key, o.Ordinal, r);
        cursor = o.Ordinal + 1;
    }

    /// <summary>Does the units after the last decoded input and finishes the last shard.</summary>
    public async Task FinishAsync()
    {
        await AdvanceToAsync(plan.Units.Count);
        await CloseWriterAsync(plan.Units.Count, 0);
    }

    public async ValueTask DisposeAsync()
    {
        if (writer is not null) await writer.DisposeAsync();
        writer = null;
    }

    // Copies and reused quarantine entries of the units before `end`.
    private async Task AdvanceToAsync(int end)
    {
        for (; cursor < end; cursor++)
        {
            int skip = cursor == NextUnit ? skipRows : 0;
            switch (plan.Units[cursor])
            {
                case CopyUnit copy:
                    await CopyAsync(copy, cursor, skip);
                    break;
                case InputUnit { Input.Action: InputAction.ReuseQuarantine } reuse:
                    PlannedInput p = reuse.Input;
                    pendingQuarantine.Add(previousQuarantine.First(q => q.Input == p.Entry.Path && q.VideoId == p.Entry.VideoId));
                    break;
                case InputUnit u:
                    throw new InvalidOperationException($"input '{u.Input.Entry.Path}' to decode was not delivered in order");
            }
        }
    }

    // The rows of an old shard whose inputs are copied into this unit's split, with this run's label, split and path.
    private async Task CopyAsync(CopyUnit copy, int unit, int skip)
    {
        await using ShardReader reader = await ShardReader.OpenAsync(options.OutDir, copy.Shard, ct);
        int r = 0;
        await foreach (ShardRow row in reader.ReadRowsAsync(ct))
        {
            if (!plan.CopiedByOldKey.TryGetValue(PlannedInput.KeyOf(row.Split, row.VideoId), out PlannedInput? p) || p.Entry.Split != copy.Split)
                continue;
            if (r >= skip)
            {
                await AppendAsync(row with { Label = p.Entry.Label, LabelName = p.Entry.LabelName, Split = p.Entry.Split, SourcePath = p.Entry.Path },
                    p.Key, unit, r);
                CopiedRows++;
            }
            r++;
        }
    }

    private async Task AppendAsync(ShardRow row, string key, int unit, int rowOfUnit)
    {
        if (writer is not null && writerSplit != row.Split) await CloseWriterAsync(unit, rowOfUnit);
        if (writer is null)
        {
            writer = new ShardWriter(options.OutDir, versions.ShardPrefix(version, row.Split), new ShardLayout(options.ClipLength, options.SampledFrames),
                new ShardWriterOptions
                {
                    MaxShardBytes = options.ShardSizeBytes,
                    FirstSequence = journal.Entries.Count(e => e.Shard.Split == row.Split),
                });
            writerSplit = row.Split;
        }
        ShardInfo? finished = await writer.AppendAsync(row, ct);
        if (finished is not null) Journal(finished, unit, rowOfUnit);  // the row went to a new shard: the finished one ends before it
        openVideos[key] = openVideos.GetValueOrDefault(key) + 1;
    }

    private async Task CloseWriterAsync(int nextUnit, int nextRow)
    {
        if (writer is null) return;
        ShardInfo? last = await writer.CompleteAsync(ct);
        await writer.DisposeAsync();
        writer = null;
        if (last is not null) Journal(last, nextUnit, nextRow);
    }

    private void Journal(ShardInfo shard, int nextUnit, int nextRow)
    {
        journal.Append(new PrepareJournal.Entry(shard, nextUnit < plan.Units.Count ? plan.Units[nextUnit].Key : null, nextRow,
            pendingQuarantine.ToList(), openVideos));
        pendingQuarantine.Clear();
        openVideos = [];
    }

    private int IndexOf(string key)
    {
        for (int i = 0; i < plan.Units.Count; i++) if (plan.Units[i].Key == key) return i;
        throw new InvalidDataException($"{journal.Path}: the journal resumes at '{key}', which this run's plan does not have");
    }
}
