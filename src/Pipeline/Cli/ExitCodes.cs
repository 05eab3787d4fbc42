using System.Text.Json;
using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// The exit codes of every <c>cvmae</c> command, and the one place that turns an exception into one:
/// 0 success, 1 a run that failed (it started on valid input and could not finish: a write failed, a
/// dependency is missing, libtorch failed), 2 bad usage or bad input (an unknown or missing option, a bad
/// option value, a missing or malformed manifest, config or weights file), 130 cancelled (Ctrl+C).
/// </summary>
public static class ExitCodes
{
    public const int Success = 0, RunFailed = 1, BadInput = 2, Cancelled = 130;

    /// <summary>The text each command's <c>--help</c> ends with, and the README repeats.</summary>
    public const string HelpText =
        "Exit codes: 0 success; 1 the run failed (e.g. a write failed, a dependency is missing); " +
        "2 bad usage or bad input (unknown option, bad option value, missing or malformed manifest, config or weights file); 130 cancelled.\n" +
        "Logging: lines with UTC timestamps and levels go to standard error (--quiet, --verbose, --log-format json); results go to standard output.";

    /// <summary>The exit code an exception escaping a command body stands for.</summary>
    public static int For(Exception e) => e switch
    {
        OperationCanceledException => Cancelled,
        ArgumentException or FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
            or ManifestFormatException or JsonException => BadInput,
        _ => RunFailed,
    };

    /// <summary>Runs a command body: its return value is the exit code; an exception is logged as an error
    /// (the stack trace at debug level) and mapped by <see cref="For"/>.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>Logs an exception that ends a command (the stack trace at debug level) and returns its exit code.</summary>
    public static int Fail(Exception e, string prefix = "")
    {
        int code = For(e);
        if (code == Cancelled) CliLog.Warn("cancelled");
        else
        {
            bool expected = code == BadInput || e is IOException or TorchException or UnauthorizedAccessException or InvalidOperationException;
            CliLog.Error(prefix + (expected ? e.Message : $"{e.GetType().Name}: {e.Message}"));
            CliLog.Debug(e.ToString());
        }
        return code;
    }

    public static Task<int> GuardAsync(Func<int> body) => GuardAsync(() => Task.FromResult(body()));
}
