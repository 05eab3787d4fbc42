namespace CrossVideoMAE.Pipeline.Train.Distributed;

/// <summary>How to start this program again as a child process: the apphost itself, or
/// <c>dotnet cvmae.dll</c> when the program runs under the dotnet host.</summary>
public sealed record ChildCommand(string FileName, IReadOnlyList<string> PrefixArguments)
{
    public static ChildCommand Current()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running program is unknown");
        string name = Path.GetFileNameWithoutExtension(process);
        if (name.Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return new ChildCommand(process, [typeof(Program).Assembly.Location]);
        return new ChildCommand(process, []);
    }
}
