using System.CommandLine;
using System.CommandLine.Invocation;
using CrossVideoMAE.Pipeline.Cli;

namespace CrossVideoMAE.Pipeline;

/// <summary>
/// The cvmae command line: one subcommand per file in Cli/, listed in the order a user meets them.
/// Every command follows one convention (<see cref="ExitCodes"/>, <see cref="CliLog"/>, <see cref="GlobalOptions"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args) => RunAsync(args, configureLog: true).GetAwaiter().GetResult();

    /// <summary>Parses and runs one command line; a usage error exits <see cref="ExitCodes.BadInput"/>.
    /// With <paramref name="configureLog"/> the global logging options set up <see cref="CliLog"/>
    /// (the demo runs its steps with the logging its own command line chose).</summary>
    public static async Task<int> RunAsync(string[] args, bool configureLog, CancellationToken ct = default)
    {
        var globals = new GlobalOptions();
        ParseResult parse = BuildRoot(globals).Parse(args);
        if (configureLog && parse.Errors.Count == 0)
        {
            try { globals.Apply(parse); }
            catch (ArgumentException e)
            {
                CliLog.Error(e.Message);
                return ExitCodes.BadInput;
            }
        }
        int code = await ExitCodes.GuardAsync(() => parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, ct));
        return parse.Action is ParseErrorAction ? ExitCodes.BadInput : code;
    }

    public static RootCommand BuildRoot() => BuildRoot(new GlobalOptions());

    private static RootCommand BuildRoot(GlobalOptions globals)
    {
        var root = new RootCommand("CrossVideoMAE for .NET: prepare video datasets into Parquet shards and train video encoders with CrossVideoMAE.");
        foreach (Command c in Commands()) root.Add(c);
        globals.AddTo(root);
        return root;
    }

    /// <summary>The commands in the order a user meets them: data, training, evaluation, tools.</summary>
    public static IEnumerable<Command> Commands()
    {
        yield return MakeSampleCommand.Create();
        yield return PrepareCommand.Create();
        yield return MergeManifestsCommand.Create();
        yield return PretrainCommand.Create();
        yield return FinetuneCommand.Create();
        yield return LinprobeCommand.Create();
        yield return EvalCommand.Create();
        yield return RetrievalCommand.Create();
        yield return VisualizeCommand.Create();
        yield return InspectStepCommand.Create();
        yield return DoctorCommand.Create();
        yield return DemoCommand.Create();
    }
}
