using System.Text;
using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.Stages.Sampling;

namespace CrossVideoMAE.Stages.SampleData;

/// <summary>
/// Generates a small labelled video dataset with ffmpeg: boxes moving left/right/up/down or
/// growing/shrinking over textured backgrounds, in mp4 (H.264), webm (VP9) and avi (MPEG-4),
/// at several sizes, rates and lengths, with annotations in every format the readers know
/// (see <see cref="SampleDataset"/> for the layout). Everything is drawn from the seed, and the
/// encoders run bit-exact and single-threaded, so a seed always writes the same files.
/// Also writes the broken-input set the prepare tests need (<see cref="GenerateBrokenInputsAsync"/>).
/// </summary>
public sealed partial class SampleDatasetGenerator
{
    private const string YoutubeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-";
    private static readonly string[] OwnEntries = ["videos", "ssv2_videos", "annotations", "sample.json", "broken"];

    public async Task<SampleDataset> GenerateAsync(SampleDatasetOptions options, CancellationToken ct = default)
    {
        if (options.Classes < 1 || options.Classes > MotionClass.All.Count)
            throw new ArgumentOutOfRangeException(nameof(options), $"Classes must be 1..{MotionClass.All.Count}, got {options.Classes}");
        if (options.VideosPerClass < 1) throw new ArgumentOutOfRangeException(nameof(options), "VideosPerClass must be at least 1");
        if (options.Parallelism < 1) throw new ArgumentOutOfRangeException(nameof(options), "Parallelism must be at least 1");
        string root = Path.GetFullPath(options.OutputDir);
        PrepareOutput(root);

        HashSet<string> encoders = await FfmpegRun.EncodersAsync(options.FfmpegPath, ct).ConfigureAwait(false);
        VideoFormat?[] formats = [VideoFormat.Mp4(encoders.Contains("libx264")), VideoFormat.Webm(encoders.Contains("libvpx-vp9")), VideoFormat.Avi()];
        VideoFormat[] available = formats.OfType<VideoFormat>().ToArray();

        List<MotionClass> classes = MotionClass.All.Take(options.Classes).ToList();
        string[] classNames = classes.Select(c => c.Name).Order(StringComparer.Ordinal).ToArray();
        int held = options.VideosPerClass >= 2 ? Math.Max(1, (int)Math.Round(options.VideosPerClass / 4.0)) : 0;

        var jobs = new List<(SampleVideoPlan Plan, SampleVideo Video)>();
        int ssv2Id = 1000;
        var usedIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (MotionClass cls in classes)
        {
            int label = Array.IndexOf(classNames, cls.Name);
            for (int i = 0; i < options.VideosPerClass; i++)
            {
                VideoFormat format = available[(i + label) % available.Length];
                SampleVideoPlan plan = SampleVideoPlan.Draw(options.Seed, cls, i, options.Quick, options.OneScene, format);
                string id = UniqueKineticsId(options.Seed, cls.Name, i, plan, usedIds);
                string relative = Path.Combine("videos", cls.Name, id + format.Extension);
                string split = i >= options.VideosPerClass - held ? DatasetSplits.Val : DatasetSplits.Train;
                var video = new SampleVideo(id, (ssv2Id++).ToString(System.Globalization.CultureInfo.InvariantCulture), cls.Name, label, split,
                    relative, format.Container, format.Codec, plan.Width, plan.Height, plan.Fps, plan.FrameCount, plan.BackgroundFilter, plan.BoxColor);
                jobs.Add((plan, video));
            }
        }

        foreach (MotionClass cls in classes) Directory.CreateDirectory(Path.Combine(root, "videos", cls.Name));
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct },
            async (job, token) => await FfmpegRun.RunAsync(options.FfmpegPath, job.Plan.FfmpegArguments(Path.Combine(root, job.Video.RelativePath)), token).ConfigureAwait(false))
            .ConfigureAwait(false);

        var dataset = new SampleDataset(root, classNames, jobs.Select(j => j.Video).ToList());
        await SampleAnnotationWriter.WriteAllAsync(dataset, classes, ct).ConfigureAwait(false);
        return dataset;
    }

    // An 11-character YouTube-like id (no underscore, so the file stem splits back into id, start, end),
    // a start second and an end second the length of the clip later.
    private static string UniqueKineticsId(ulong seed, string cls, int index, SampleVideoPlan plan, HashSet<string> used)
    {
        var rng = new SplitMix64(StableHash.Derive(seed, cls, index, "sample-id"));
        while (true)
        {
            var sb = new StringBuilder(11);
            for (int k = 0; k < 11; k++) sb.Append(YoutubeAlphabet[rng.NextInt(YoutubeAlphabet.Length)]);
            int start = rng.NextInt(300);
            int end = start + (int)Math.Ceiling((double)plan.FrameCount / plan.Fps);
            string id = $"{sb}_{start:D6}_{end:D6}";
            if (used.Add(id)) return id;
        }
    }

    // The output folder must be new, empty, or a sample dataset written earlier (whose parts are replaced).
    private static void PrepareOutput(string root)
    {
        if (Directory.Exists(root))
        {
            string[] present = Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).OfType<string>().ToArray();
            string[] foreign = present.Except(OwnEntries).ToArray();
            if (foreign.Length > 0 || (present.Length > 0 && !present.Contains("sample.json")))
                throw new IOException($"{root} holds files that are not a sample dataset ({string.Join(", ", foreign.Length > 0 ? foreign : present)}); choose an empty or new folder");
            foreach (string name in present)
            {
                string path = Path.Combine(root, name);
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                else File.Delete(path);
            }
        }
        Directory.CreateDirectory(root);
    }
}
