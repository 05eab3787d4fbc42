using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>What a run does with one input: nothing (its rows stay in kept shards), copy its rows from the
/// previous version's shards (a relabelled video, or one sharing a shard with a changed one), reuse its
/// quarantine entry (same file, same outcome), or decode it.</summary>
public enum InputAction { Keep, Copy, ReuseQuarantine, Decode }

/// <summary>How an input compares with the previous version.</summary>
public enum InputChange { Added, Changed, Kept }

/// <summary>One input of this run with its identity, its match in the previous version (if any) and what to do.</summary>
public sealed record PlannedInput(VideoEntry Entry, InputIdentity Identity, InputRecord? Old, InputChange Change, InputAction Action)
{
    /// <summary>The key of an input within one version: split and video id (unique per version).</summary>
    public string Key => KeyOf(Entry.Split, Entry.VideoId);

    public static string KeyOf(string split, string videoId) => $"{split}/{videoId}";
}

/// <summary>A step of the write loop, in order: the rows of one old shard that go to <see cref="Split"/>, or one input.</summary>
public abstract record PrepareUnit(string Key, string Split);

/// <summary>Rows of old shard <see cref="Shard"/> whose videos are copied (not decoded) into split <see cref="PrepareUnit.Split"/>.</summary>
public sealed record CopyUnit(ShardInfo Shard, string Split) : PrepareUnit($"copy/{Split}/{Shard.File}", Split);

/// <summary>An input to decode, or whose earlier quarantine entry is reused.</summary>
public sealed record InputUnit(PlannedInput Input) : PrepareUnit($"input/{Input.Key}", Input.Entry.Split);

/// <summary>
/// Compares this run's inputs with the previous version of the manifest and decides what to reuse.
/// An input matches an old one with the same relative path and video id (same split first). It is kept
/// when its content hash, label, split and source path are unchanged. An old shard is kept as it is when
/// every input with rows in it is kept; the rows of matched inputs whose content is unchanged but whose
/// shard is not kept are copied (with this run's label, split and path), everything else is decoded.
/// The units are ordered by split, then copies in old shard order, then inputs in manifest order, so a
/// plan depends only on the previous index and the inputs, and a re-run after a kill finds the same plan.
/// </summary>
public sealed class RefreshPlan
{
    public required IReadOnlyList<PlannedInput> Inputs { get; init; }
    public required IReadOnlyList<ShardInfo> KeptShards { get; init; }
    public required IReadOnlyList<PrepareUnit> Units { get; init; }
    public required IndexChanges Changes { get; init; }
    /// <summary>Copied inputs by their key in the previous version (split/video id of the rows in old shards).</summary>
    public required IReadOnlyDictionary<string, PlannedInput> CopiedByOldKey { get; init; }

    public int ToDecode => Inputs.Count(i => i.Action == InputAction.Decode);

    public static RefreshPlan Create(IReadOnlyList<VideoEntry> entries, IReadOnlyList<InputIdentity> identities, ShardIndex? previous)
    {
        var oldByFull = new Dictionary<(string, string, string), InputRecord>();
        var oldByPath = new Dictionary<(string, string), List<InputRecord>>();
        foreach (InputRecord r in previous?.Inputs ?? [])
        {
            oldByFull[(r.Input, r.VideoId, r.Split)] = r;
            if (!oldByPath.TryGetValue((r.Input, r.VideoId), out var list)) oldByPath[(r.Input, r.VideoId)] = list = [];
            list.Add(r);
        }
        var used = new HashSet<InputRecord>(ReferenceEqualityComparer.Instance);
        var matched = new (VideoEntry e, InputIdentity id, InputRecord? old)[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            (VideoEntry e, InputIdentity id) = (entries[i], identities[i]);
            InputRecord? old = oldByFull.GetValueOrDefault((id.RelativePath, e.VideoId, e.Split));
            if (old is not null) used.Add(old);
            matched[i] = (e, id, old);
        }
        for (int i = 0; i < matched.Length; i++)
        {
            if (matched[i].old is not null) continue;
            InputRecord? old = oldByPath.GetValueOrDefault((matched[i].id.RelativePath, matched[i].e.VideoId))?.FirstOrDefault(r => !used.Contains(r));
            if (old is not null) used.Add(old);
            matched[i].old = old;
        }

        // Change of each input; old shards stay only when every input with rows in them is unchanged.
        var change = matched.Select(m => m.old is null ? InputChange.Added
            : Unchanged(m.e, m.id, m.old) ? InputChange.Kept : InputChange.Changed).ToArray();
        var unchangedOld = new HashSet<InputRecord>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < matched.Length; i++) if (change[i] == InputChange.Kept) unchangedOld.Add(matched[i].old!);
        var spoiled = (previous?.Inputs ?? []).Where(r => !unchangedOld.Contains(r)).SelectMany(r => r.Shards).ToHashSet();
        // A shard no input lists (an index written without its inputs) cannot be attributed: it is not kept.
        var attributed = unchangedOld.SelectMany(r => r.Shards).ToHashSet();
        var keptShards = (previous?.Shards ?? []).Where(s => attributed.Contains(s.File) && !spoiled.Contains(s.File)).ToList();
        var kept = keptShards.Select(s => s.File).ToHashSet();

        var inputs = new List<PlannedInput>();
        for (int i = 0; i < matched.Length; i++)
        {
            var (e, id, old) = matched[i];
            bool sameContent = old is not null && id.Sha256 is not null && old.Sha256 == id.Sha256;
            InputAction action = !sameContent ? InputAction.Decode
                : old!.Rows == 0 ? InputAction.ReuseQuarantine
                : old.Shards.All(kept.Contains) && change[i] == InputChange.Kept ? InputAction.Keep
                : InputAction.Copy;
            if (action == InputAction.ReuseQuarantine && previous!.Quarantine.All(q => q.Input != e.Path || q.VideoId != e.VideoId))
                action = InputAction.Decode;  // the old entry's quarantine record is not there to reuse
            inputs.Add(new PlannedInput(e, id, old, change[i], action));
        }

        var copiedByOldKey = inputs.Where(p => p.Action == InputAction.Copy)
            .ToDictionary(p => PlannedInput.KeyOf(p.Old!.Split, p.Old.VideoId));
        var units = new List<PrepareUnit>();
        foreach (string split in inputs.Select(p => p.Entry.Split).Distinct().Order(StringComparer.Ordinal))
        {
            var copiedHere = inputs.Where(p => p.Action == InputAction.Copy && p.Entry.Split == split).ToList();
            var sources = copiedHere.SelectMany(p => p.Old!.Shards).Where(f => !kept.Contains(f)).ToHashSet();
            units.AddRange((previous?.Shards ?? []).Where(s => sources.Contains(s.File)).Select(s => new CopyUnit(s, split)));
            units.AddRange(inputs.Where(p => p.Entry.Split == split && p.Action is InputAction.Decode or InputAction.ReuseQuarantine)
                .Select(p => new InputUnit(p)));
        }

        int removed = (previous?.Inputs.Count ?? 0) - used.Count;
        return new RefreshPlan
        {
            Inputs = inputs,
            KeptShards = keptShards,
            Units = units,
            CopiedByOldKey = copiedByOldKey,
            Changes = new IndexChanges(
                Added: change.Count(c => c == InputChange.Added), Removed: removed,
                Changed: change.Count(c => c == InputChange.Changed), Kept: change.Count(c => c == InputChange.Kept)),
        };
    }

    private static bool Unchanged(VideoEntry e, InputIdentity id, InputRecord old) =>
        id.Sha256 is not null && old.Sha256 == id.Sha256 && old.Label == e.Label && old.LabelName == e.LabelName
        && old.Split == e.Split && old.SourcePath == e.Path;

    /// <summary>A stable digest of the plan (every unit and input decision), for the journal header.</summary>
    public string Digest()
    {
        var text = new System.Text.StringBuilder();
        foreach (PrepareUnit u in Units) text.Append(u.Key).Append('\n');
        foreach (PlannedInput p in Inputs)
            text.Append(p.Key).Append('|').Append(p.Identity.RelativePath).Append('|').Append(p.Identity.Sha256).Append('|')
                .Append(p.Entry.Label).Append('|').Append(p.Entry.LabelName).Append('|').Append(p.Entry.Path).Append('|').Append(p.Action).Append('\n');
        foreach (ShardInfo s in KeptShards) text.Append(s.File).Append('|').Append(s.Sha256).Append('\n');
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }
}
