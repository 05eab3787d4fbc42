using System.Security.Cryptography;
using CrossVideoMAE.Stages.Datasets;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>
/// An input's identity across runs: its path relative to the dataset root ('/'-separated) plus the
/// SHA-256 of the whole file. The whole file is hashed because size and mtime can both stay the same
/// while the content changes (a re-encode written back with <c>touch -r</c>, a copy that keeps
/// timestamps); a hash of the head and tail would miss a change in the middle. The cost is one
/// sequential read of every video per run, which is small next to decoding (see the Prepare README).
/// </summary>
public sealed record InputIdentity(string RelativePath, string? Sha256)
{
    /// <summary>The identity of each entry (in order), hashed <paramref name="parallelism"/> files at a time.
    /// A file that cannot be read gets a null hash (the decode stage then quarantines it with the reason).</summary>
    public static async Task<InputIdentity[]> ComputeAsync(IReadOnlyList<VideoEntry> entries, string datasetRoot, int parallelism, CancellationToken ct)
    {
        var result = new InputIdentity[entries.Count];
        await Parallel.ForAsync(0, entries.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (i, c) =>
        {
            string path = entries[i].Path;
            result[i] = new InputIdentity(Relative(datasetRoot, path), await HashAsync(path, c));
        });
        return result;
    }

    public static string Relative(string datasetRoot, string path) =>
        Path.GetRelativePath(Path.GetFullPath(datasetRoot), Path.GetFullPath(path)).Replace(Path.DirectorySeparatorChar, '/');

    private static async Task<string?> HashAsync(string path, CancellationToken ct)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
