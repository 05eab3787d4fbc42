namespace CrossVideoMAE.Stages.Datasets;

/// <summary>The split names every reader emits, whatever the source calls them ("validate", "validation", "testing").</summary>
public static class DatasetSplits
{
    public const string Train = "train";
    public const string Val = "val";
    public const string Test = "test";

    /// <summary>Maps a split name from an annotation to <see cref="Train"/>, <see cref="Val"/> or <see cref="Test"/>; null if unknown.</summary>
    public static string? Normalise(string name) => name.Trim().ToLowerInvariant() switch
    {
        "train" or "training" => Train,
        "val" or "valid" or "validate" or "validation" => Val,
        "test" or "testing" => Test,
        _ => null,
    };

    /// <summary>The split named by an annotation file's name ("train.csv", "something-something-v2-validation.json"), or null.</summary>
    public static string? FromFileName(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path).ToLowerInvariant();
        if (name.Contains("train")) return Train;
        if (name.Contains("val")) return Val;
        if (name.Contains("test")) return Test;
        return null;
    }
}
