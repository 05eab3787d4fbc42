namespace CrossVideoMAE.Stages.Datasets;

/// <summary>File-name rules shared by the readers: which extensions are videos, and which names from an
/// annotation may be joined to the video folder (no rooted paths, no "..", no control characters).</summary>
public static class VideoFiles
{
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".mpg", ".mpeg", ".wmv", ".flv", ".ogv", ".3gp",
    };

    public static bool IsVideo(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>The reason <paramref name="relative"/> is unsafe to join under a video folder, or null if it is safe.</summary>
    public static string? UnsafeRelativePath(string relative)
    {
        if (string.IsNullOrWhiteSpace(relative)) return "the path is empty";
        if (relative.Any(char.IsControl)) return "the path holds control characters";
        if (Path.IsPathRooted(relative) || relative.StartsWith('/') || relative.StartsWith('\\')) return $"'{relative}' is an absolute path";
        if (relative.Split('/', '\\').Any(part => part == "..")) return $"'{relative}' climbs out of the video folder";
        return null;
    }

    /// <summary>The reason <paramref name="name"/> is unsafe as a single file-name part, or null if it is safe.</summary>
    public static string? UnsafeName(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "the name is empty";
        if (name.Contains('/') || name.Contains('\\')) return $"'{name}' contains a path separator";
        if (name is "." or "..") return $"'{name}' is not a file name";
        if (name.Any(char.IsControl)) return "the name holds control characters";
        return null;
    }
}
