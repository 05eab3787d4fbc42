using System.CommandLine;
using System.Diagnostics;
using CrossVideoMAE.Stages.SampleData;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary><c>cvmae make-sample</c>: writes the synthetic motion-class dataset (and optionally the broken-input set).</summary>
public static class MakeSampleCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to write (new, empty, or an earlier sample dataset)", DefaultValueFactory = _ => "out/sample" };
        var classes = new Option<int>("--classes") { Description = $"Motion classes, 1..{MotionClass.All.Count}", DefaultValueFactory = _ => 5 };
        var perClass = new Option<int>("--videos-per-class") { Description = "Videos per class (a quarter are held out)", DefaultValueFactory = _ => 8 };
        var seed = new Option<ulong>("--seed") { Description = "Seed for everything random", DefaultValueFactory = _ => 0UL };
        var quick = new Option<bool>("--quick") { Description = "Small, short videos (160x120 or 128x96, 1.5-2 s)" };
        var oneScene = new Option<bool>("--one-scene") { Description = "One scene for every video (a still background, a white box): only the motion tells the classes apart" };
        var broken = new Option<bool>("--broken") { Description = "Also write the broken-input set to OUT/broken and list what each must do" };

        var cmd = new Command("make-sample", "Generate a small labelled video dataset with ffmpeg, annotated in the Kinetics-400, SSv2, UCF101 and HMDB51 formats.")
        {
            output, classes, perClass, seed, quick, oneScene, broken,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var options = new SampleDatasetOptions
            {
                OutputDir = parse.GetValue(output)!,
                Classes = parse.GetValue(classes),
                VideosPerClass = parse.GetValue(perClass),
                Seed = parse.GetValue(seed),
                Quick = parse.GetValue(quick),
                OneScene = parse.GetValue(oneScene),
            };
            return await RunAsync(options, parse.GetValue(broken), Console.Out, ct);
        });
        return cmd;
    }

    public static async Task<int> RunAsync(SampleDatasetOptions options, bool broken, TextWriter o, CancellationToken ct)
    {
        var generator = new SampleDatasetGenerator();
        var clock = Stopwatch.StartNew();
        SampleDataset d;
        try
        {
            d = await generator.GenerateAsync(options, ct);
        }
        catch (Exception e)
        {
            return ExitCodes.Fail(e);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        o.WriteLine($"wrote {d.Videos.Count} videos ({d.Videos.Count(v => v.Split == "train")} train, {d.Videos.Count(v => v.Split != "train")} held out) " +
                    $"of {d.ClassNames.Count} classes to {d.Root} in {seconds:F1} s");
        foreach (var g in d.Videos.GroupBy(v => v.Container).OrderBy(g => g.Key))
            o.WriteLine($"  {g.Key,-5} {g.Count(),3} videos ({string.Join(", ", g.Select(v => v.Codec).Distinct())})");
        o.WriteLine($"  folder layout   {d.VideosDir}");
        o.WriteLine($"  kinetics400     {string.Join(", ", d.KineticsCsvFiles)}");
        o.WriteLine($"  ssv2            {d.Ssv2LabelsFile}, {string.Join(", ", d.Ssv2AnnotationFiles)} (videos: {d.Ssv2VideosDir})");
        o.WriteLine($"  ucf101          {d.Ucf101Dir}");
        o.WriteLine($"  hmdb51          {d.Hmdb51Dir}");
        o.WriteLine($"  truth           {d.SummaryFile}");

        if (broken)
        {
            string dir = Path.Combine(d.Root, "broken");
            IReadOnlyList<BrokenInput> inputs = await generator.GenerateBrokenInputsAsync(dir, options.FfmpegPath, ct);
            o.WriteLine($"broken inputs in {dir}:");
            foreach (BrokenInput b in inputs)
                o.WriteLine($"  {Path.GetFileName(b.Path),-22} {(b.ShouldFail ? $"fails at {b.FailingStage}: {b.Failure}" : "goes through" + (b.Padded ? " (padded clip)" : "")),-32} {b.Description}");
        }
        return 0;
    }
}
