namespace CrossVideoMAE.TestSupport;

/// <summary>Locates the repository from a test's output folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CrossVideoMAE.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("CrossVideoMAE.sln not found above " + AppContext.BaseDirectory);
    }
}
