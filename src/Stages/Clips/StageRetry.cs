using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Stages.Video;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CrossVideoMAE.Stages.Clips;

/// <summary>
/// How the clip stages run a tool and what a failure becomes. Transient failures (a killed or timed-out
/// ffmpeg/ffprobe) are retried by a Polly pipeline whose timeout cancels, and so kills, the running tool;
/// a permanent one (a corrupt file) is not. <see cref="GuardAsync{T}"/> turns whatever still fails into the
/// video's quarantine entry with the stage and the reason.
/// </summary>
internal sealed class StageRetry
{
    private readonly ResiliencePipeline resilience;

    public StageRetry(int retries, TimeSpan stageTimeout)
    {
        Retries = retries;
        var builder = new ResiliencePipelineBuilder();
        if (retries > 0)
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<VideoInputException>(e => e.IsTransient).Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = retries,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
            });
        resilience = builder.AddTimeout(stageTimeout + TimeSpan.FromSeconds(30)).Build();
    }

    public int Retries { get; }

    /// <summary>Runs one tool step with the retries and the time limit.</summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> step, CancellationToken ct) =>
        resilience.ExecuteAsync(async t => await step(t), ct).AsTask();

    /// <summary>The step's result, or the quarantine entry of <paramref name="entry"/> when it failed for a reason the
    /// file explains (its stage and reason). Cancellation and bugs propagate.</summary>
    public async Task<(T? Value, QuarantineEntry? Quarantined)> GuardAsync<T>(VideoEntry entry, Func<Task<T>> step) where T : class
    {
        try
        {
            return (await step(), null);
        }
        catch (VideoInputException e)
        {
            string reason = e.IsTransient ? $"{e.Reason} (still failing after {Retries} retries)" : e.Reason;
            return (null, Quarantine(entry, e.Stage, reason));
        }
        catch (TimeoutRejectedException)
        {
            return (null, Quarantine(entry, VideoStageNames.Decode, $"timed out {Retries + 1} times"));
        }
        catch (JpegException e)
        {
            return (null, Quarantine(entry, "encode", e.Message));
        }
    }

    private static QuarantineEntry Quarantine(VideoEntry entry, string stage, string reason) => new(entry.Path, entry.VideoId, stage, reason);
}
