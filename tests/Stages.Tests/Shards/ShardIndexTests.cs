using System.Text.Json;
using System.Text.Json.Nodes;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests.Shards;

public sealed class ShardIndexTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JsonSchemaSubset Schema()
    {
        string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "data-schemas", "index.schema.json"));
        return new JsonSchemaSubset(JsonDocument.Parse(text).RootElement.Clone());
    }

    private static ShardIndex Sample() => new()
    {
        SchemaVersion = ShardIndex.CurrentSchemaVersion,
        Dataset = "ucf101-sample",
        Version = 3,
        Partition = new IndexPartition(1, 2),
        Created = new DateTimeOffset(2026, 11, 22, 9, 30, 5, 250, TimeSpan.FromHours(1)),
        ToolVersion = "0.1.0",
        Config = new PrepareConfig
        {
            ClipLength = 16, Stride = 4, ClipsPerVideo = 2, SamplingMode = "random", SampledFrames = 1,
            JpegQuality = 90, ShortSide = 256, Seed = 1234567890123, ShardSizeBytes = 256L * 1024 * 1024,
        },
        Labels = new Dictionary<string, int> { ["ApplyEyeMakeup"] = 0, ["Bowling"] = 1, ["Jonglieren ✓"] = 2 },
        Shards =
        [
            new ShardInfo("train-00000.parquet", 120, 250_000_000, new string('a', 64), "train"),
            new ShardInfo("../part1/val-00000.parquet", 33, 70_000_000, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "val"),
        ],
        Splits = new Dictionary<string, SplitTotals> { ["train"] = new(120, 60, 1), ["val"] = new(33, 17, 1) },
        Changes = new IndexChanges(Added: 2, Removed: 1, Changed: 3, Kept: 72),
        Inputs =
        [
            new InputRecord
            {
                Input = "Bowling/v_Bowling_g01_c01.avi", Sha256 = new string('b', 64), VideoId = "v_Bowling_g01_c01", Split = "train",
                Label = 1, LabelName = "Bowling", SourcePath = "/data/ucf101/Bowling/v_Bowling_g01_c01.avi", Rows = 2, Shards = ["train-00000.parquet"],
            },
        ],
        Quarantine = [new QuarantineEntry("videos/broken.avi", null, "probe", "ffprobe found no video stream")],
        Totals = new IndexTotals(Inputs: 78, Rows: 153, Quarantined: 1),
    };

    [Fact]
    public void Serialised_index_validates_against_the_json_schema()
    {
        string json = ShardIndexFile.Serialize(Sample());
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Empty(Schema().Validate(doc.RootElement));

        // The schema names exactly the fields we write, all of them required, at every level.
        JsonElement schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "data-schemas", "index.schema.json"))).RootElement;
        AssertSameFields(schema, doc.RootElement);
        AssertSameFields(schema.GetProperty("$defs").GetProperty("config"), doc.RootElement.GetProperty("config"));
        AssertSameFields(schema.GetProperty("$defs").GetProperty("shard"), doc.RootElement.GetProperty("shards")[0]);
        AssertSameFields(schema.GetProperty("$defs").GetProperty("quarantine_entry"), doc.RootElement.GetProperty("quarantine")[0]);
        AssertSameFields(schema.GetProperty("$defs").GetProperty("totals"), doc.RootElement.GetProperty("totals"));
        AssertSameFields(schema.GetProperty("$defs").GetProperty("split_totals"), doc.RootElement.GetProperty("splits").GetProperty("train"));
        AssertSameFields(schema.GetProperty("$defs").GetProperty("changes"), doc.RootElement.GetProperty("changes"));
        AssertSameFields(schema.GetProperty("$defs").GetProperty("partition"), doc.RootElement.GetProperty("partition"));
        AssertSameFields(schema.GetProperty("$defs").GetProperty("input"), doc.RootElement.GetProperty("inputs")[0]);
    }

    private static void AssertSameFields(JsonElement schema, JsonElement instance)
    {
        string[] written = instance.EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(written, schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(written, schema.GetProperty("required").EnumerateArray().Select(p => p.GetString()).Order());
    }

    [Fact]
    public async Task Save_then_load_round_trips()
    {
        string path = _dir.File(ShardIndexFile.FileName);
        ShardIndex index = Sample();
        await ShardIndexFile.SaveAsync(path, index);
        string text = await File.ReadAllTextAsync(path);
        Assert.Contains("\"tool_version\": \"0.1.0\"", text);
        Assert.Contains("Jonglieren ✓", text); // unicode kept readable
        ShardIndex loaded = await ShardIndexFile.LoadAsync(path);
        Assert.Equal(ShardIndexFile.Serialize(index), ShardIndexFile.Serialize(loaded));
        Assert.Equal(index.Created, loaded.Created);
        Assert.Equal(new ShardLayout(16, 1), loaded.Config.Layout);
        Assert.Equal(index.Shards, loaded.Shards);
    }

    public static TheoryData<string, string, bool> Malformed => new()
    {
        // name, reason expected from the loader, whether the JSON Schema alone also refuses it
        { "not-json", "malformed JSON or fields", false },
        { "missing-shards", "missing required properties including: 'shards'", true },
        { "missing-sha", "missing required properties including: 'sha256'", true },
        { "null-dataset", "'dataset' on type 'CrossVideoMAE.Stages.Shards.ShardIndex' doesn't allow setting null", true },
        { "negative-rows", "negative rows -1", true },
        { "negative-total", "totals hold a negative count", true },
        { "string-rows", "Path: $.shards[0].rows", true },
        { "unknown-field", "'extra'", true },
        { "duplicate-shard", "is listed twice", false },
        { "duplicate-label-key", "Duplicate properties", false },
        { "duplicate-label-index", "label index 1 is used by two classes", false },
        { "dot-segment", "shard file './x.parquet' has segment '.'", true },
        { "absolute", "shard file '/etc/passwd' is not a relative '/'-separated path", true },
        { "empty-segment", "shard file 'part0//x.parquet' has an empty path segment", true },
        { "dotdot-last", "shard file 'part0/..' has segment '..'", true },
        { "backslash", "shard file '..\\x.parquet' is not a relative '/'-separated path", true },
        { "hidden", "shard file '.x.parquet' has segment '.x.parquet'", true },
        { "no-split", "has split '' that is not a plain name", true },
        { "split-totals", "splits.train lists 121 rows in 1 shards but the shards of split 'train' hold 120 rows in 1", false },
        { "unlisted-split", "split 'val' of a shard is missing from splits", false },
        { "input-unknown-shard", "refers to shard 'gone.parquet' that the index does not list", false },
        { "bad-sha", "is not 64 lowercase hex digits", true },
        { "rows-mismatch", "totals.rows is 154 but the shards hold 153", false },
        { "quarantine-mismatch", "totals.quarantined is 2 but quarantine lists 1", false },
        { "bad-sampling-mode", "config.sampling_mode 'last' is not one of", true },
        { "n-over-clip", "config.sampled_frames 17 is outside 1..clip_length", false },
        { "bad-date", "Path: $.created", true },
        { "version-3", "schema_version 3 is not supported", true },
        { "version-1", "written by an older cvmae (expected 2); re-run `cvmae prepare --rebuild`", true },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Malformed_index_is_refused_with_the_file_and_reason(string name, string reason, bool schemaRefuses)
    {
        string json = Mutate(name, ShardIndexFile.Serialize(Sample()));
        string path = _dir.File($"{name}.json");
        await File.WriteAllTextAsync(path, json);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardIndexFile.LoadAsync(path));
        Assert.Contains($"shard index '{path}' is invalid", e.Message);
        Assert.Contains(reason, e.Message);

        if (schemaRefuses)
        {
            using JsonDocument doc = JsonDocument.Parse(json);
            Assert.NotEmpty(Schema().Validate(doc.RootElement));
        }
    }

    private static string Mutate(string name, string json)
    {
        if (name == "not-json") return json[..^3];
        if (name == "duplicate-label-key") return json.Replace("\"Bowling\": 1", "\"Bowling\": 1, \"Bowling\": 3");
        JsonNode root = JsonNode.Parse(json)!;
        JsonObject shard0 = root["shards"]![0]!.AsObject();
        switch (name)
        {
            case "missing-shards": root.AsObject().Remove("shards"); break;
            case "missing-sha": shard0.Remove("sha256"); break;
            case "null-dataset": root["dataset"] = null; break;
            case "negative-rows": shard0["rows"] = -1; root["totals"]!["rows"] = 32; break;
            case "negative-total": root["totals"]!["inputs"] = -5; break;
            case "string-rows": shard0["rows"] = "120"; break;
            case "unknown-field": root["extra"] = 1; break;
            case "duplicate-shard": root["shards"]![1]!["file"] = "train-00000.parquet"; break;
            case "duplicate-label-index": root["labels"]!["Bowling"] = 1; root["labels"]!["ApplyEyeMakeup"] = 1; break;
            case "dot-segment": shard0["file"] = "./x.parquet"; break;
            case "absolute": shard0["file"] = "/etc/passwd"; break;
            case "empty-segment": shard0["file"] = "part0//x.parquet"; break;
            case "dotdot-last": shard0["file"] = "part0/.."; break;
            case "no-split": shard0["split"] = ""; break;
            case "split-totals": root["splits"]!["train"]!["rows"] = 121; break;
            case "unlisted-split": root["splits"]!.AsObject().Remove("val"); break;
            case "input-unknown-shard": root["inputs"]![0]!["shards"]![0] = "gone.parquet"; break;
            case "backslash": shard0["file"] = "..\\x.parquet"; break;
            case "hidden": shard0["file"] = ".x.parquet"; break;
            case "bad-sha": shard0["sha256"] = new string('A', 64); break;
            case "rows-mismatch": root["totals"]!["rows"] = 154; break;
            case "quarantine-mismatch": root["totals"]!["quarantined"] = 2; break;
            case "bad-sampling-mode": root["config"]!["sampling_mode"] = "last"; break;
            case "n-over-clip": root["config"]!["sampled_frames"] = 17; break;
            case "bad-date": root["created"] = "22/11/2026"; break;
            case "version-3": root["schema_version"] = 3; break;
            case "version-1": root["schema_version"] = 1; break;
            default: throw new ArgumentException(name);
        }
        return root.ToJsonString();
    }

    [Fact]
    public void Splits_are_selected_by_name_and_an_unknown_one_names_the_splits_there_are()
    {
        ShardIndex index = Sample();
        ShardIndex val = index.SelectSplits("val");
        Assert.Equal(["../part1/val-00000.parquet"], val.Shards.Select(s => s.File));
        Assert.Equal(33, val.Totals.Rows);
        Assert.Equal(["val"], val.SplitNames);
        Assert.Same(index, index.SelectSplits());
        Assert.Equal(2, index.SelectSplits("train", "val").Shards.Count);
        var e = Assert.Throws<ArgumentException>(() => index.SelectSplits("train", "test"));
        Assert.Contains("dataset 'ucf101-sample' has no split 'test' (splits: train (120 rows), val (33 rows))", e.Message);
    }

    [Theory]
    [InlineData("x.parquet", "x.parquet")]
    [InlineData("../part0/x.parquet", "../part0/x.parquet")]
    [InlineData("sub/x.parquet", "sub/x.parquet")]
    public void Shard_paths_resolve_from_the_index_folder(string listed, string relative)
    {
        string dir = _dir.File("merged");
        Assert.Equal(Path.GetFullPath(Path.Combine(dir, relative)), ShardLocation.Resolve(dir, listed));
        Assert.Equal(listed, ShardLocation.Relative(dir, ShardLocation.Resolve(dir, listed)));
    }

    [Theory]
    [InlineData("/etc/x.parquet")]
    [InlineData("a//x.parquet")]
    [InlineData("./x.parquet")]
    [InlineData("..")]
    [InlineData("a\\x.parquet")]
    [InlineData("C:x.parquet")]
    [InlineData("a/x y.parquet")]
    [InlineData("")]
    public void Unsafe_shard_paths_are_refused_naming_the_path(string listed)
    {
        var e = Assert.Throws<InvalidDataException>(() => ShardLocation.Resolve(_dir.Path, listed));
        Assert.Contains($"shard path '{listed}'", e.Message);
    }

    [Fact]
    public void Saving_an_inconsistent_index_is_refused()
    {
        ShardIndex index = Sample() with { Totals = new IndexTotals(78, 1, 1) };
        var e = Assert.Throws<ArgumentException>(() => ShardIndexFile.Serialize(index));
        Assert.Contains("totals.rows is 1 but the shards hold 153", e.Message);
    }

    [Fact]
    public async Task Index_of_written_shards_opens_every_shard()
    {
        var layout = new ShardLayout(16, 1);
        ShardInfo[] shards;
        await using (var writer = new ShardWriter(_dir.Path, "train", layout, new ShardWriterOptions { MaxShardBytes = 60_000 }))
        {
            for (int v = 0; v < 6; v++) await writer.AppendAsync(ShardTestRows.Row(v, 0, layout));
            await writer.CompleteAsync();
            shards = writer.Completed.ToArray();
        }
        Assert.True(shards.Length >= 2);
        ShardIndex index = Sample() with
        {
            Shards = shards,
            Splits = ShardIndex.SplitTotalsOf(shards),
            Inputs = [],
            Totals = new IndexTotals(7, shards.Sum(s => s.Rows), 1),
        };
        string path = _dir.File(ShardIndexFile.FileName);
        await ShardIndexFile.SaveAsync(path, index);
        ShardIndex loaded = await ShardIndexFile.LoadAsync(path);
        long rows = 0;
        foreach (ShardInfo shard in loaded.Shards)
        {
            await using ShardReader reader = await ShardReader.OpenAsync(Path.GetDirectoryName(path)!, shard);
            Assert.Equal(loaded.Config.Layout, reader.Layout);
            await foreach (ShardRow _ in reader.ReadRowsAsync()) rows++;
        }
        Assert.Equal(6, rows);
    }
}
