using System.CommandLine;
using CrossVideoMAE.Pipeline.Cli;

namespace CrossVideoMAE.Pipeline;

/// <summary>The cvmae command line: one subcommand per file in Cli/.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        return BuildRoot().Parse(args).Invoke();
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("CrossVideoMAE for .NET: prepare video datasets into Parquet shards and train video encoders with CrossVideoMAE.");
        foreach (Command c in Commands()) root.Add(c);
        return root;
    }

    public static IEnumerable<Command> Commands()
    {
        yield return DoctorCommand.Create();
        yield return InspectStepCommand.Create();
        yield return MakeSampleCommand.Create();
        yield return PrepareCommand.Create();
        yield return MergeManifestsCommand.Create();
        yield return FinetuneCommand.Create();
        yield return LinprobeCommand.Create();
        yield return EvalCommand.Create();
        yield return RetrievalCommand.Create();
        yield return VisualizeCommand.Create();
        yield return DemoCommand.Create();
        yield return PretrainCommand.Create();
    }
}
