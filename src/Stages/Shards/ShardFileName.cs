using System.Text.RegularExpressions;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>Shard file naming: <c>&lt;prefix&gt;-&lt;NNNNN&gt;.parquet</c> in one folder. A shard
/// name (and a prefix) is a plain file name of letters, digits, '.', '_' and '-' that does not
/// start with '.', so a name read from an index can never leave the index's folder.</summary>
public static partial class ShardFileName
{
    public const string Extension = ".parquet";

    public static string For(string prefix, int sequence) => $"{prefix}-{sequence:D5}{Extension}";

    public static bool IsSafe(string? name) => name is not null && name.Length <= 255 && SafeName().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")]
    private static partial Regex SafeName();
}
