using System.ComponentModel;
using System.Diagnostics;

namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// One run of ffmpeg or ffprobe: started with an argument list (never a shell string), stdout
/// exposed as a stream, the tail of stderr kept for error messages, and the process tree killed
/// when the time limit passes or the caller cancels. Dispose kills it if it is still running.
/// </summary>
internal sealed class ToolProcess : IDisposable
{
    private const int StderrLinesKept = 24;
    private const int StderrLineMaxChars = 400;

    private readonly Process _process;
    private readonly Queue<string> _stderr = new();
    private readonly CancellationTokenSource _limit;
    private readonly CancellationTokenRegistration _onStop;
    private readonly CancellationToken _callerToken;

    private ToolProcess(Process process, TimeSpan timeout, CancellationToken callerToken)
    {
        _process = process;
        _callerToken = callerToken;
        _limit = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        _limit.CancelAfter(timeout);
        _onStop = _limit.Token.Register(Kill);
    }

    /// <summary>Starts <paramref name="program"/>. A missing program is an environment problem, not a bad
    /// input, so it raises <see cref="InvalidOperationException"/> rather than <see cref="VideoInputException"/>.</summary>
    public static ToolProcess Start(string program, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi };
        ToolProcess? tool = null;
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) tool?.AddStderr(e.Data); };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"{program} could not be started ({e.Message}); install ffmpeg (Debian: apt-get install ffmpeg) or set the tool path in the stage options", e);
        }
        tool = new ToolProcess(process, timeout, ct);
        process.BeginErrorReadLine();
        return tool;
    }

    public Stream Stdout => _process.StandardOutput.BaseStream;

    /// <summary>True when the time limit (not the caller) stopped the process.</summary>
    public bool TimedOut => _limit.IsCancellationRequested && !_callerToken.IsCancellationRequested;

    public string StderrTail
    {
        get { lock (_stderr) return string.Join(Environment.NewLine, _stderr); }
    }

    /// <summary>Waits for the process to end (it is killed at the time limit or on cancellation) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Turns a stop caused by the caller into <see cref="OperationCanceledException"/> and one caused
    /// by the time limit into a transient <see cref="VideoInputException"/>; does nothing otherwise.</summary>
    public void ThrowIfStopped(string path, string stage, TimeSpan timeout)
    {
        _callerToken.ThrowIfCancellationRequested();
        if (TimedOut)
            throw new VideoInputException(path, stage, VideoFailure.Timeout,
                $"{_process.StartInfo.FileName} did not finish within {timeout.TotalSeconds:0.#} s and was killed", StderrTail);
    }

    /// <summary>True when the exit code says a signal ended the process (128+signal on Unix, or ffmpeg's own
    /// "received signal" exit): the input may be fine and a retry can succeed.</summary>
    public bool EndedBySignal(int exitCode)
        => exitCode is > 128 and < 160 || (exitCode == 255 && StderrTail.Contains("received signal", StringComparison.OrdinalIgnoreCase));

    private void AddStderr(string line)
    {
        if (line.Length > StderrLineMaxChars) line = line[..StderrLineMaxChars] + "...";
        lock (_stderr)
        {
            _stderr.Enqueue(line);
            while (_stderr.Count > StderrLinesKept) _stderr.Dequeue();
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }  // already gone
        catch (Win32Exception) { }             // exiting at the same moment
    }

    public void Dispose()
    {
        _onStop.Dispose();
        Kill();
        try { _process.WaitForExit(); } catch (InvalidOperationException) { }
        _process.Dispose();
        _limit.Dispose();
    }
}
