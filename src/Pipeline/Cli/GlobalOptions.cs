using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// The options every command takes (recursive on the root command): <c>--quiet</c>, <c>--verbose</c>
/// and <c>--log-format text|json</c>, which set up <see cref="CliLog"/>; and the help epilog with the
/// exit codes (<see cref="ExitCodes.HelpText"/>). <c>--quiet</c> also silences the progress bars and
/// lines of prepare and pretrain.
/// </summary>
public sealed class GlobalOptions
{
    public Option<bool> Quiet { get; } = new("--quiet") { Description = "Log warnings and errors only.", Recursive = true };
    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Log debug lines too (e.g. stack traces of errors).", Recursive = true };
    public Option<LogFormat> LogFormat { get; } = new("--log-format")
    {
        Description = "Log lines as text or json (one JSON object per line, for nightly runs).", Recursive = true,
        DefaultValueFactory = _ => Cli.LogFormat.Text,
    };

    public void AddTo(RootCommand root)
    {
        root.Add(Quiet);
        root.Add(Verbose);
        root.Add(LogFormat);
        foreach (HelpOption help in root.Options.OfType<HelpOption>())
            if (help.Action is HelpAction action)
                help.Action = new HelpWithEpilog(action);
    }

    /// <summary>Sets up <see cref="CliLog"/> from a parsed command line (a command's own --quiet counts too).</summary>
    public void Apply(ParseResult parse)
    {
        bool quiet = parse.GetValue(Quiet) || LocalFlag(parse, "--quiet");
        bool verbose = parse.GetValue(Verbose);
        if (quiet && verbose) throw new ArgumentException("--quiet and --verbose cannot be combined");
        CliLog.Configure(verbose ? LogLevel.Debug : quiet ? LogLevel.Warn : LogLevel.Info, parse.GetValue(LogFormat));
    }

    // A command's own option of this name (bool), when it has one.
    private static bool LocalFlag(ParseResult parse, string name) =>
        parse.CommandResult.Command.Options.OfType<Option<bool>>().FirstOrDefault(o => o.Name == name) is { } own && parse.GetValue(own);

    // The default help, then the exit codes and logging convention.
    private sealed class HelpWithEpilog(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parse)
        {
            int code = inner.Invoke(parse);
            TextWriter output = parse.InvocationConfiguration.Output;
            output.WriteLine(ExitCodes.HelpText);
            output.WriteLine();
            return code;
        }
    }
}
