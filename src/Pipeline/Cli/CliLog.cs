using System.Globalization;
using System.Text.Json;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>Severity of a log line; <see cref="CliLog"/> writes those at or above its minimum.</summary>
public enum LogLevel { Debug, Info, Warn, Error }

/// <summary>How <see cref="CliLog"/> writes a line: readable text, or one JSON object per line (nightly runs).</summary>
public enum LogFormat { Text, Json }

/// <summary>
/// The one logger of the <c>cvmae</c> commands. Every line carries a UTC timestamp and a level and goes
/// to standard error, so standard output holds only a command's results. Text lines read
/// <c>2026-01-02T03:04:05.678Z INFO  message</c>; JSON lines <c>{"time":"...","level":"info","message":"..."}</c>.
/// Set once per process from the global options (<c>--quiet</c>: warnings and errors only,
/// <c>--verbose</c>: debug lines too, <c>--log-format text|json</c>).
/// </summary>
public static class CliLog
{
    private static readonly object Gate = new();
    private static TextWriter? output;

    private static readonly JsonSerializerOptions JsonLine = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static LogLevel MinLevel { get; private set; } = LogLevel.Info;
    public static LogFormat Format { get; private set; } = LogFormat.Text;

    /// <summary>Where lines go: standard error unless <see cref="Configure"/> named another writer.</summary>
    public static TextWriter Output => output ?? Console.Error;

    public static void Configure(LogLevel minLevel, LogFormat format, TextWriter? writer = null)
    {
        lock (Gate)
        {
            MinLevel = minLevel;
            Format = format;
            output = writer;
        }
    }

    public static bool IsEnabled(LogLevel level) => level >= MinLevel;

    public static void Debug(string message) => Write(LogLevel.Debug, message);
    public static void Info(string message) => Write(LogLevel.Info, message);
    public static void Warn(string message) => Write(LogLevel.Warn, message);
    public static void Error(string message) => Write(LogLevel.Error, message);

    public static void Write(LogLevel level, string message)
    {
        if (!IsEnabled(level)) return;
        string line = FormatLine(DateTime.UtcNow, level, message, Format);
        lock (Gate)
        {
            Output.WriteLine(line);
            Output.Flush();
        }
    }

    /// <summary>One log line in the given format (no trailing newline).</summary>
    public static string FormatLine(DateTime utc, LogLevel level, string message, LogFormat format)
    {
        string time = utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        string name = level.ToString().ToLowerInvariant();
        return format == LogFormat.Json
            ? JsonSerializer.Serialize(new Dictionary<string, string> { ["time"] = time, ["level"] = name, ["message"] = message }, JsonLine)
            : $"{time} {name.ToUpperInvariant(),-5} {message}";
    }

    /// <summary>A writer that turns each line written to it into a log line of <paramref name="level"/>,
    /// for the runs that report progress to a <see cref="TextWriter"/>.</summary>
    public static TextWriter Writer(LogLevel level = LogLevel.Info) => new LineWriter(level);

    private sealed class LineWriter(LogLevel level) : TextWriter
    {
        private readonly System.Text.StringBuilder pending = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            lock (pending)
            {
                if (value == '\n')
                {
                    string line = pending.ToString().TrimEnd('\r');
                    pending.Clear();
                    if (line.Length > 0) CliLog.Write(level, line);
                }
                else pending.Append(value);
            }
        }

        public override void Write(string? value)
        {
            if (value is null) return;
            foreach (char c in value) Write(c);
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write('\n');
        }

        public override void Flush()
        {
            lock (pending)
            {
                if (pending.Length == 0) return;
                string line = pending.ToString();
                pending.Clear();
                CliLog.Write(level, line);
            }
        }
    }
}
