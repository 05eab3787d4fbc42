using System.CommandLine;
using CrossVideoMAE.Pipeline.Cli;

namespace CrossVideoMAE.Pipeline;

/// <summary>The cvmae command line: one subcommand per file in Cli/.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("CrossVideoMAE for .NET: prepare video datasets into Parquet shards and train video encoders with CrossVideoMAE.");
        foreach (Command c in Commands()) root.Add(c);
        return root.Parse(args).Invoke();
    }

    public static IEnumerable<Command> Commands()
    {
        yield return DoctorCommand.Create();
        yield return InspectStepCommand.Create();
        yield return MakeSampleCommand.Create();
        yield return PretrainCommand.Create();
    }
}
