using System.Diagnostics;
using CrossVideoMAE.Pipeline.Train;
using Spectre.Console;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary>
/// How every training command shows its steps; <c>run</c> is the job, given the step callback (<see cref="StepReport"/>s of the training loop): a progress
/// bar on an interactive console, otherwise (redirected, or <c>--quiet</c> off) an info line every 5 s and
/// at the last step. Only rank 0 shows anything; the other ranks run silently.
/// </summary>
public static class TrainingProgressDisplay
{
    public static Task<T> RunAsync<T>(string job, int rank, Func<Action<StepReport>?, Task<T>> run)
    {
        if (rank != 0) return run(null);
        bool bar = CliLog.IsEnabled(LogLevel.Info) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        return bar ? WithProgressBarAsync(job, run) : WithLogLinesAsync(run);
    }

    private static async Task<T> WithProgressBarAsync<T>(string job, Func<Action<StepReport>?, Task<T>> run) =>
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                ProgressTask task = ctx.AddTask(job);
                return await run(s =>
                {
                    task.MaxValue = s.TotalSteps;
                    task.Value = s.Step;
                    task.Description = $"{job} step {s.Step}/{s.TotalSteps} loss {s.Loss:F4} lr {s.Lr:E2} {s.ClipsPerSecond:F1} clips/s feed wait {100 * s.FeedWaitShare:F0}%";
                });
            });

    private static Task<T> WithLogLinesAsync<T>(Func<Action<StepReport>?, Task<T>> run)
    {
        var clock = Stopwatch.StartNew();
        double last = double.NegativeInfinity;
        return run(s =>
        {
            if (clock.Elapsed.TotalSeconds - last < 5 && s.Step != s.TotalSteps) return;
            last = clock.Elapsed.TotalSeconds;
            CliLog.Info($"step {s.Step}/{s.TotalSteps} epoch {s.Epoch} loss {s.Loss:F6} lr {s.Lr:E3} {s.ClipsPerSecond:F2} clips/s feed wait {100 * s.FeedWaitShare:F1}%");
        });
    }
}
