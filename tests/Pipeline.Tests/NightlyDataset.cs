using CrossVideoMAE.Pipeline.Prepare;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>
/// Tiny Kinetics-style datasets (one CSV, flat folder of raw-video AVIs, 2 s at 10 fps) that a test
/// changes between prepare runs. Raw video keeps a file's size when its content is re-encoded, so an
/// in-place re-encode can keep both size and mtime. The pool holds every video once (made by ffmpeg).
/// </summary>
public sealed class NightlyPool : IAsyncLifetime
{
    public TempDir Dir { get; } = new("cvmae-nightly");
    public string Pool => Dir.File("pool");

    /// <summary>Video name -> hue of its test pattern; "a2x" is a2 re-encoded (another hue, same size).</summary>
    public static readonly IReadOnlyDictionary<string, int> Hues = new Dictionary<string, int>
    {
        ["a0"] = 10, ["a1"] = 50, ["a2"] = 90, ["a2x"] = 250, ["a3"] = 130, ["a9"] = 170, ["b1"] = 210, ["b2"] = 290, ["b3"] = 330,
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Pool);
        await Parallel.ForEachAsync(Hues, new ParallelOptions { MaxDegreeOfParallelism = 2 }, (kv, _) =>
        {
            ProcessRunner.Run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size=96x64:rate=10:duration=2,hue=h={kv.Value}",
                "-c:v", "rawvideo", "-pix_fmt", "yuv420p", Path.Combine(Pool, kv.Key + ".avi")]);
            return ValueTask.CompletedTask;
        });
    }

    public Task DisposeAsync()
    {
        Dir.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A dataset folder of its own with the initial set: a1-a3 (cat), b1-b3 (dog); a3 and b3 in val.</summary>
    public NightlyDataset NewDataset(TempDir dir)
    {
        var d = new NightlyDataset(this, dir.Path);
        Directory.CreateDirectory(d.Videos);
        foreach (string v in (string[])["a1", "a2", "a3", "b1", "b2", "b3"]) d.Add(v);
        d.WriteCsv([("a1", "cat", "train"), ("a2", "cat", "train"), ("a3", "cat", "validate"),
                    ("b1", "dog", "train"), ("b2", "dog", "train"), ("b3", "dog", "validate")]);
        return d;
    }
}

public sealed class NightlyDataset(NightlyPool pool, string root)
{
    public string Videos => Path.Combine(root, "videos");
    public string Csv => Path.Combine(root, "annotations.csv");

    public static string VideoId(string name) => $"{name}_000000_000002";

    public string PathOf(string name) => Path.Combine(Videos, VideoId(name) + ".avi");

    public void Add(string name, string? poolName = null) => File.Copy(Path.Combine(pool.Pool, (poolName ?? name) + ".avi"), PathOf(name), overwrite: true);

    /// <summary>Rows in this order: the CSV order is the manifest order.</summary>
    public void WriteCsv(IEnumerable<(string name, string label, string split)> rows) =>
        File.WriteAllLines(Csv, ["label,youtube_id,time_start,time_end,split", .. rows.Select(r => $"{r.label},{r.name},0,2,{r.split}")]);

    /// <summary>The nightly change: a0 and a9 added around the others, b2 removed, a2 re-encoded in place with
    /// the same size and mtime, b1 relabelled (dog -> cat), a3 moved from val to train.</summary>
    public void ApplyNightlyChange()
    {
        Add("a0");
        Add("a9");
        File.Delete(PathOf("b2"));
        var before = new FileInfo(PathOf("a2"));
        (long size, DateTime mtime) = (before.Length, before.LastWriteTimeUtc);
        Add("a2", "a2x");
        File.SetLastWriteTimeUtc(PathOf("a2"), mtime);
        var after = new FileInfo(PathOf("a2"));
        Assert.Equal((size, mtime), (after.Length, after.LastWriteTimeUtc));
        WriteCsv([("a0", "cat", "train"), ("a1", "cat", "train"), ("a2", "cat", "train"), ("a3", "cat", "train"),
                  ("b1", "cat", "train"), ("b3", "dog", "validate"), ("a9", "dog", "validate")]);
    }

    /// <summary>Settings of the tests; a larger <paramref name="shortSide"/> makes larger rows, so more 64 KB shards.</summary>
    public PrepareOptions Options(string outDir, int shortSide = 48) => new()
    {
        Format = "kinetics400", Annotations = [Csv], VideoRoot = Videos, OutDir = outDir, Name = "nightly",
        ClipLength = 4, Stride = 2, ClipsPerVideo = 2, ShortSide = shortSide, Seed = 7, ShardSizeBytes = 64 << 10, Parallelism = 2,
    };

    /// <summary>The CLI arguments equal to <see cref="Options"/>.</summary>
    public string[] CliArguments(string outDir, int shortSide = 48) =>
        ["prepare", "--format", "kinetics400", "--annotations", Csv, "--videos", Videos, "--out", outDir, "--name", "nightly",
         "--clip-length", "4", "--stride", "2", "--clips-per-video", "2", "--short-side", shortSide.ToString(), "--seed", "7",
         "--shard-size-mb", "0.0625", "--parallelism", "2", "--quiet"];

    /// <summary>Every row of the index's shards as DuckDB reads them (all columns, JPEG bytes included), sorted;
    /// also checks that each shard holds only the split the index says.</summary>
    public static async Task<string[]> RowsAsync(string indexPath)
    {
        ShardIndex index = await ShardIndexFile.LoadAsync(indexPath);
        foreach (ShardInfo s in index.Shards)
        {
            var splits = DuckDb.Query($"SELECT DISTINCT split FROM {DuckDb.Literal(ShardLocation.ResolveFromIndex(indexPath, s))}");
            Assert.Equal([s.Split], splits.Select(r => r.GetProperty("split").GetString()));
        }
        string files = string.Join(", ", index.Shards.Select(s => DuckDb.Literal(ShardLocation.ResolveFromIndex(indexPath, s))));
        return DuckDb.Query($"SELECT * FROM read_parquet([{files}]) ORDER BY video_id, clip_index").Select(r => r.GetRawText()).ToArray();
    }
}

[CollectionDefinition(Name)]
public sealed class NightlyCollection : ICollectionFixture<NightlyPool>
{
    public const string Name = "nightly";
}
