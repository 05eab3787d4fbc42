namespace CrossVideoMAE.Pipeline.Train;

/// <summary>Writes a text file under a temporary name and renames it into place, so a reader never sees half of it.</summary>
public static class AtomicText
{
    public static void Write(string path, string text)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}
