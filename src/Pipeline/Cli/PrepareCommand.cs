using System.CommandLine;
using System.Text.Json;
using CrossVideoMAE.Pipeline.Prepare;
using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Sampling;
using Spectre.Console;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary><c>cvmae prepare</c>: a video dataset to Parquet shards of clips and sampled frames, plus index.json.</summary>
public static class PrepareCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = $"Annotation format: {string.Join(" | ", DatasetSource.Formats)}", Required = true };
        var annotations = new Option<string[]>("--annotations") { Description = "K400 CSV / SSv2 JSON files, the UCF101/HMDB51 split folder, or the folder root", Required = true, AllowMultipleArgumentsPerToken = true };
        var labels = new Option<string?>("--labels") { Description = "SSv2 labels.json" };
        var videos = new Option<string?>("--videos") { Description = "Folder holding the videos (default: beside the annotations)" };
        var splitNumber = new Option<int>("--split-number") { Description = "UCF101/HMDB51 split (1-3)", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string>("--out") { Description = "Output folder for shards and index.json", Required = true };
        var name = new Option<string?>("--name") { Description = "Dataset name (index.json, shard prefix); default: the format" };
        var splits = new Option<string[]>("--splits") { Description = "Splits to keep, e.g. train val (default: all)", AllowMultipleArgumentsPerToken = true };
        var clipLength = new Option<int>("--clip-length") { Description = "Frames per clip (T)", DefaultValueFactory = _ => 16 };
        var stride = new Option<int?>("--stride") { Description = "Temporal stride (default 4; 2 for ssv2)" };
        var segments = new Option<bool>("--segments") { Description = "Segment-based sampling (one frame per segment, as SSv2 recipes)" };
        var clipsPerVideo = new Option<int>("--clips-per-video") { Description = "Clips taken from each video", DefaultValueFactory = _ => 1 };
        var sampled = new Option<int>("--sampled-frames") { Description = "Sampled frames per clip (n)", DefaultValueFactory = _ => 1 };
        var selection = new Option<string>("--frame-selection") { Description = "random | first | middle", DefaultValueFactory = _ => "random" };
        var quality = new Option<int>("--jpeg-quality") { Description = "JPEG quality 1-100", DefaultValueFactory = _ => 90 };
        var shortSide = new Option<int>("--short-side") { Description = "Frames are resized so their short side is this", DefaultValueFactory = _ => 256 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the clip and frame choices", DefaultValueFactory = _ => 0UL };
        var shardMb = new Option<double>("--shard-size-mb") { Description = "Roll to a new shard at this size (MB)", DefaultValueFactory = _ => 256 };
        var parallelism = new Option<int>("--parallelism") { Description = "Videos processed at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var decodeBatch = new Option<int>("--decode-batch") { Description = "Videos decoded by one shared ffmpeg run (1: one run per video); output is the same either way", DefaultValueFactory = _ => 8 };
        var retries = new Option<int>("--retries") { Description = "Retries of transient failures (killed or timed-out ffmpeg)", DefaultValueFactory = _ => 2 };
        var shardIndex = new Option<int?>("--shard-index") { Description = $"This machine's part (0-based) of a scale-out run (default: ${string.Join(" or $", PartIndexSource.Variables)}, else 0)" };
        var numShards = new Option<int>("--num-shards") { Description = "Number of parts of a scale-out run (join with merge-manifests)", DefaultValueFactory = _ => 1 };
        var rebuild = new Option<bool>("--rebuild") { Description = "Prepare every input again into a new version (needed after changing a setting that alters rows)" };
        var keepVersions = new Option<int>("--keep-versions") { Description = "Manifest versions whose shards stay on disk (the new one included)", DefaultValueFactory = _ => 2 };
        var summary = new Option<string?>("--summary-json") { Description = "Write a machine-readable summary here" };

        var cmd = new Command("prepare", "Turn a video dataset into Parquet shards of 16-frame clips and sampled frames, with index.json. Re-running resumes; bad inputs are quarantined with their reason.")
        {
            format, annotations, labels, videos, splitNumber, outDir, name, splits, clipLength, stride, segments, clipsPerVideo,
            sampled, selection, quality, shortSide, seed, shardMb, parallelism, decodeBatch, retries, shardIndex, numShards, rebuild, keepVersions, summary,
        };
        cmd.SetAction(async (p, ct) =>
        {
            PrepareOptions options;
            try
            {
                string f = p.GetValue(format)!.ToLowerInvariant();
                options = new PrepareOptions
                {
                    Format = f,
                    Annotations = p.GetValue(annotations)!,
                    Labels = p.GetValue(labels),
                    VideoRoot = p.GetValue(videos),
                    SplitNumber = p.GetValue(splitNumber),
                    OutDir = p.GetValue(outDir)!,
                    Name = p.GetValue(name) ?? f,
                    Splits = p.GetValue(splits) ?? [],
                    ClipLength = p.GetValue(clipLength),
                    Stride = p.GetValue(stride) ?? (f == "ssv2" ? 2 : 4),
                    ClipMode = p.GetValue(segments) ? ClipSamplingMode.Segments : ClipSamplingMode.Strided,
                    ClipsPerVideo = p.GetValue(clipsPerVideo),
                    SampledFrames = p.GetValue(sampled),
                    Selection = ParseSelection(p.GetValue(selection)!),
                    JpegQuality = p.GetValue(quality),
                    ShortSide = p.GetValue(shortSide),
                    Seed = p.GetValue(seed),
                    ShardSizeBytes = (long)(p.GetValue(shardMb) * 1024 * 1024),
                    Parallelism = p.GetValue(parallelism),
                    DecodeBatch = p.GetValue(decodeBatch),
                    Retries = p.GetValue(retries),
                    Partition = InputPartition.Create(PartIndexSource.Resolve(p.GetValue(shardIndex), Environment.GetEnvironmentVariable), p.GetValue(numShards)),
                    Rebuild = p.GetValue(rebuild),
                    KeepVersions = p.GetValue(keepVersions),
                };
                options.Validate();
            }
            catch (ArgumentException e)
            {
                return ExitCodes.Fail(e);
            }
            // The global --quiet (warnings and errors only) also silences the progress bar and lines.
            return await RunAsync(options, !CliLog.IsEnabled(LogLevel.Info), p.GetValue(summary), ct);
        });
        return cmd;
    }

    private static FrameSelection ParseSelection(string s) => s.ToLowerInvariant() switch
    {
        "random" => FrameSelection.Random,
        "first" => FrameSelection.First,
        "middle" => FrameSelection.Middle,
        _ => throw new ArgumentException($"--frame-selection must be random, first or middle (got '{s}')"),
    };

    public static async Task<int> RunAsync(PrepareOptions options, bool quiet, string? summaryPath, CancellationToken ct)
    {
        void Log(string m) { if (!quiet) CliLog.Info(m); }
        var runner = new PrepareRunner(options, Log);
        PrepareSummary s;
        try
        {
            bool interactive = !quiet && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            if (interactive)
            {
                s = await AnsiConsole.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        ProgressTask? bar = null;
                        return await runner.RunAsync(pr =>
                        {
                            bar ??= ctx.AddTask("prepare", maxValue: Math.Max(1, pr.TotalInputs));
                            bar.Value = pr.AlreadyDone + pr.Videos;
                            bar.Description = Markup.Escape(pr.Describe());
                        }, ct);
                    });
            }
            else
            {
                var last = DateTime.UtcNow;
                s = await runner.RunAsync(pr =>
                {
                    if (quiet || (DateTime.UtcNow - last).TotalSeconds < 5) return;
                    last = DateTime.UtcNow;
                    Log(pr.Describe());
                }, ct);
            }
        }
        catch (Exception e)
        {
            return ExitCodes.Fail(e);
        }

        if (summaryPath is not null)
            await File.WriteAllTextAsync(summaryPath, JsonSerializer.Serialize(s, new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
            }), ct);
        if (!quiet)
            Console.WriteLine($"version {s.Version}: {s.Added} added, {s.Removed} removed, {s.Changed} changed, {s.Kept} kept; " +
                              $"{s.Decoded} decoded, {s.CopiedRows} rows copied, {s.ShardsRemoved} old shards removed");
        if (!quiet)
            Console.WriteLine($"prepared {s.Inputs} videos: {s.Rows} clips in {s.Shards} shards ({s.Bytes / 1e6:F1} MB), " +
                              $"{s.Quarantined} quarantined, {s.Seconds:F1} s ({s.ClipsPerSecond:F2} clips/s), peak RSS {s.PeakRssBytes / 1e6:F0} MB -> {s.Index}");
        return 0;
    }
}
