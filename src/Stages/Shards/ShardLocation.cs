namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// The one place a shard path read from index.json becomes a file path. Shard paths are untrusted:
/// a path is relative to the index's folder, '/'-separated, and each segment is either ".." (a merged
/// index refers to parts in sibling folders, e.g. <c>../part0/x.parquet</c>) or a plain file name
/// (<see cref="ShardFileName.IsSafe"/>); absolute paths, backslashes, empty or "." segments and odd
/// characters are refused. The last segment is a plain file name.
/// </summary>
public static class ShardLocation
{
    public const int MaxLength = 1024;

    /// <summary>Why <paramref name="path"/> is not an acceptable shard path, or null when it is.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "is empty";
        if (path.Length > MaxLength) return $"is longer than {MaxLength} characters";
        if (path.StartsWith('/') || path.Contains('\\') || path.Contains(':')) return "is not a relative '/'-separated path";
        string[] segments = path.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            string s = segments[i];
            if (s.Length == 0) return "has an empty path segment";
            if (s == ".." && i < segments.Length - 1) continue;
            if (!ShardFileName.IsSafe(s)) return $"has segment '{s}' that is not a plain name (letters, digits, '.', '_', '-', not starting with '.')";
        }
        return null;
    }

    public static bool IsSafe(string? path) => Problem(path) is null;

    /// <summary>The full path of <paramref name="shardPath"/> listed in an index whose folder is
    /// <paramref name="indexDirectory"/>; throws <see cref="InvalidDataException"/> for an unsafe path.</summary>
    public static string Resolve(string indexDirectory, string shardPath)
    {
        string? problem = Problem(shardPath);
        if (problem is not null) throw new InvalidDataException($"shard path '{shardPath}' {problem}");
        return Path.GetFullPath(Path.Combine(indexDirectory, shardPath.Replace('/', Path.DirectorySeparatorChar)));
    }

    /// <summary>The full path of <paramref name="shard"/> as listed by the index file <paramref name="indexPath"/>.</summary>
    public static string ResolveFromIndex(string indexPath, ShardInfo shard) =>
        Resolve(Path.GetDirectoryName(Path.GetFullPath(indexPath))!, shard.File);

    /// <summary>The '/'-separated path of <paramref name="fullPath"/> relative to <paramref name="indexDirectory"/>
    /// (what a merged index lists).</summary>
    public static string Relative(string indexDirectory, string fullPath)
    {
        string rel = Path.GetRelativePath(Path.GetFullPath(indexDirectory), Path.GetFullPath(fullPath)).Replace(Path.DirectorySeparatorChar, '/');
        string? problem = Problem(rel);
        if (problem is not null) throw new InvalidDataException($"shard '{fullPath}' cannot be listed from '{indexDirectory}': the relative path '{rel}' {problem}");
        return rel;
    }
}
