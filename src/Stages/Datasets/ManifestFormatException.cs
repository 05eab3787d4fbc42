namespace CrossVideoMAE.Stages.Datasets;

/// <summary>An annotation file that does not follow its format. <see cref="Line"/> is 1-based; 0 when the
/// problem concerns the whole file.</summary>
public sealed class ManifestFormatException(string file, int line, string reason)
    : Exception(line > 0 ? $"{file}:{line}: {reason}" : $"{file}: {reason}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Reason { get; } = reason;
}
