using System.Text.RegularExpressions;
using CrossVideoMAE.Stages.Shards;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// The versions of one prepared dataset (or part) in its folder: <c>index.json</c> is the current
/// version and <c>vNNNNN.index.json</c> (<c>vNNNNN.index-partIIIofNNN.json</c> for a part) keeps each
/// version, so a job can pin one. The version comes first so that <c>index-part*.json</c>, the glob a
/// merge is given, matches the current index of each part only. Shards are immutable and named by the version that wrote them
/// (<c>&lt;name&gt;[-partIIIofNNN]-vNNNNN-&lt;split&gt;-NNNNN.parquet</c>); a shard is removed only after the switch
/// to a new version, and only when none of the newest <c>keep</c> versions lists it.
/// </summary>
public sealed class IndexVersions(string directory, string indexFileName, string shardPrefix)
{
    public string CurrentPath => Path.Combine(directory, indexFileName);

    public string VersionPath(int version) => Path.Combine(directory, $"v{version:D5}.{indexFileName}");

    public string ShardPrefix(int version, string split) => $"{shardPrefix}-v{version:D5}-{split}";

    /// <summary>Version numbers with a version file here, newest first.</summary>
    public IReadOnlyList<int> Versions()
    {
        var pattern = new Regex(@"^v(\d{5})\." + Regex.Escape(indexFileName) + "$");
        return Directory.EnumerateFiles(directory).Select(f => pattern.Match(Path.GetFileName(f)))
            .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).OrderDescending().ToList();
    }

    /// <summary>Whether <paramref name="fileName"/> is a shard (or a shard's temporary file) this dataset's runs write.</summary>
    public bool IsOurShard(string fileName) =>
        Regex.IsMatch(fileName, "^" + Regex.Escape(shardPrefix) + @"-(v\d{5}-[A-Za-z0-9_]+-)?\d{5}\.parquet(\.tmp)?$");

    /// <summary>Writes <paramref name="index"/> as its version file, then switches index.json to it (both atomically).</summary>
    public async Task PublishAsync(ShardIndex index, CancellationToken ct)
    {
        await ShardIndexFile.SaveAsync(VersionPath(index.Version), index, ct);
        await ShardIndexFile.SaveAsync(CurrentPath, index, ct);
    }

    /// <summary>Removes version files beyond the newest <paramref name="keep"/>, then every shard of ours that no
    /// remaining version (nor <paramref name="alsoKeep"/>) lists. Returns the shards removed. An unreadable
    /// listing stops the removal (it may list any shard) unless <paramref name="ignoreUnreadable"/> (--rebuild
    /// over an index of an older format).</summary>
    public async Task<int> CollectAsync(int keep, IEnumerable<string> alsoKeep, bool ignoreUnreadable, CancellationToken ct)
    {
        IReadOnlyList<int> versions = Versions();
        foreach (int v in versions.Skip(keep)) File.Delete(VersionPath(v));
        var referenced = alsoKeep.ToHashSet();
        var listings = new List<string>(versions.Take(keep).Select(VersionPath));
        if (File.Exists(CurrentPath)) listings.Add(CurrentPath);
        foreach (string listing in listings)
        {
            try
            {
                foreach (ShardInfo s in (await ShardIndexFile.LoadAsync(listing, ct)).Shards) referenced.Add(s.File);
            }
            catch (InvalidDataException) when (!ignoreUnreadable)
            {
                return 0;  // an unreadable version: remove nothing rather than a shard it may list
            }
            catch (InvalidDataException)
            {
            }
        }
        int removed = 0;
        foreach (string f in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(f);
            if (IsOurShard(name) && !referenced.Contains(name))
            {
                File.Delete(f);
                removed++;
            }
        }
        return removed;
    }
}
