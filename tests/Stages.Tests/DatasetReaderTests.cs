using CrossVideoMAE.Stages.Datasets;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>Each reader on the example annotation files in manifests/ (expected values read off those
/// files by hand) and on malformed copies.</summary>
public sealed class DatasetReaderTests : IDisposable
{
    private static readonly string Manifests = Path.Combine(RepoPaths.Root, "manifests");
    private readonly TempDir _dir = new("cvmae-datasets");

    private string Write(string name, string text)
    {
        string path = _dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<ManifestFormatException> Malformed(IDatasetReader reader)
        => await Assert.ThrowsAsync<ManifestFormatException>(() => reader.ReadAsync());

    // ---- Kinetics-400 ----

    [Fact]
    public async Task Kinetics_csvs_give_sorted_labels_ids_with_padded_times_and_splits()
    {
        string k = Path.Combine(Manifests, "kinetics400");
        var m = await new Kinetics400Reader("/videos", [Path.Combine(k, "train.csv"), Path.Combine(k, "validate.csv"), Path.Combine(k, "test.csv")]).ReadAsync();
        Assert.Equal(["abseiling", "air drumming", "passing American football (in game)"], m.LabelNames);
        Assert.Equal(9, m.Entries.Count);
        Assert.Equal(5, m.Split(DatasetSplits.Train).Count());
        Assert.Equal(2, m.Split(DatasetSplits.Val).Count());
        VideoEntry football = m.Entries.Single(e => e.VideoId.StartsWith("ZxCvB_nm123"));
        Assert.Equal(new VideoEntry("ZxCvB_nm123_000031_000041", "/videos/train/passing American football (in game)/ZxCvB_nm123_000031_000041.mp4",
            2, "passing American football (in game)", "train"), football);
        VideoEntry test = m.Entries.Single(e => e.VideoId == "AaBbCcDdEe1_000020_000030");
        Assert.Equal((VideoEntry.NoLabel, "", "test"), (test.Label, test.LabelName, test.Split));
    }

    [Theory]
    [InlineData("train/abseiling", KineticsLayout.SplitLabel)]
    [InlineData("train/air_drumming", KineticsLayout.SplitLabelUnderscore)]
    [InlineData("air drumming", KineticsLayout.Label)]
    [InlineData("air_drumming", KineticsLayout.LabelUnderscore)]
    [InlineData("train", KineticsLayout.Split)]
    [InlineData("", KineticsLayout.Flat)]
    public async Task Kinetics_layout_is_detected_from_the_files_on_disk(string folder, KineticsLayout layout)
    {
        string csv = Write("train.csv", "label,youtube_id,time_start,time_end,split\nabseiling,aaaaaaaaaaa,1,11,train\nair drumming,bbbbbbbbbbb,2,12,train\n");
        string root = _dir.File("videos");
        string label = folder.Contains("drumming") ? "air drumming" : "abseiling";
        string id = label == "abseiling" ? "aaaaaaaaaaa_000001_000011" : "bbbbbbbbbbb_000002_000012";
        Directory.CreateDirectory(Path.Combine(root, folder));
        File.WriteAllText(Path.Combine(root, folder, id + ".mkv"), "x");   // extension found on disk wins

        var m = await new Kinetics400Reader(root, [csv]).ReadAsync();
        VideoEntry e = m.Entries.Single(x => x.VideoId == id);
        Assert.Equal(Path.Combine(root, folder, id + ".mkv"), e.Path);
        var forced = await new Kinetics400Reader(root, [csv], new Kinetics400ReaderOptions { Layout = layout }).ReadAsync();
        Assert.Equal(e.Path, forced.Entries.Single(x => x.VideoId == id).Path);
        Assert.All(m.Entries, x => Assert.StartsWith(root, x.Path));
    }

    [Fact]
    public async Task Kinetics_given_class_list_fixes_the_indices()
    {
        string csv = Path.Combine(Manifests, "kinetics400", "validate.csv");
        var m = await new Kinetics400Reader("/v", [csv], new Kinetics400ReaderOptions { LabelNames = ["air drumming", "zumba", "abseiling"] }).ReadAsync();
        Assert.Equal([2, 0], m.Entries.Select(e => e.Label));
    }

    public static TheoryData<string, int, string> BadKineticsRows => new()
    {
        { "label,youtube_id,time_start,time_end,split\nabseiling,abc,10,5,train\n", 2, "not after" },
        { "label,youtube_id,time_start,time_end,split\nabseiling,abc,ten,20,train\n", 2, "time_start 'ten'" },
        { "label,youtube_id,time_start,time_end,split\nabseiling,abc,1,11,train\nabseiling,abc,1,11,train\n", 3, "listed twice" },
        { "label,youtube_id,time_start,time_end,split\nabseiling,abc,1,11,holdout\n", 2, "unknown split" },
        { "label,youtube_id,time_start,time_end,split\nabseiling,abc,1\n", 2, "expected 5 fields" },
        { "label,youtube_id,time_start,time_end,split\n\nabseiling,../../etc,1,11,train\n", 3, "path separator" },
        { "label,youtube_id,time_start,time_end,split\n\"abseiling,abc,1,11,train\n", 2, "not closed" },
        { "label,video,start,end\nabseiling,abc,1,11\n", 1, "lacks youtube_id" },
    };

    [Theory]
    [MemberData(nameof(BadKineticsRows))]
    public async Task Kinetics_malformed_row_names_file_and_line(string csv, int line, string reason)
    {
        string path = Write("bad-train.csv", csv);
        var e = await Malformed(new Kinetics400Reader("/v", [path]));
        Assert.Equal((path, line), (e.File, e.Line));
        Assert.Contains(reason, e.Reason);
        Assert.StartsWith($"{path}:{line}: ", e.Message);
    }

    [Fact]
    public async Task Kinetics_label_outside_a_given_class_list_is_an_error()
    {
        string csv = Path.Combine(Manifests, "kinetics400", "validate.csv");
        var e = await Malformed(new Kinetics400Reader("/v", [csv], new Kinetics400ReaderOptions { LabelNames = ["abseiling"] }));
        Assert.Equal(3, e.Line);
    }

    // ---- Something-Something V2 ----

    private static SomethingSomethingV2Reader Ssv2(string labels, params string[] files) => new(labels, "/ssv2", files);

    [Fact]
    public async Task Ssv2_templates_without_brackets_are_the_classes_of_labels_json()
    {
        string s = Path.Combine(Manifests, "ssv2");
        var m = await Ssv2(Path.Combine(s, "labels.json"),
            Path.Combine(s, "something-something-v2-train.json"), Path.Combine(s, "something-something-v2-validation.json"),
            Path.Combine(s, "something-something-v2-test.json")).ReadAsync();
        Assert.Equal(["Approaching something with your camera", "Holding something next to something", "Moving something from left to right", "Putting something on a surface"], m.LabelNames);
        Assert.Equal(new VideoEntry("78687", "/ssv2/78687.webm", 1, "Holding something next to something", "train"), m.Entries[0]);
        Assert.Equal([1, 3, 2, 0], m.Split(DatasetSplits.Train).Select(e => e.Label));
        Assert.Equal([3, 2], m.Split(DatasetSplits.Val).Select(e => e.Label));
        Assert.Equal(["1420", "98765"], m.Split(DatasetSplits.Test).Select(e => e.VideoId));
        Assert.All(m.Split(DatasetSplits.Test), e => Assert.Equal(VideoEntry.NoLabel, e.Label));
    }

    public static TheoryData<string, int, string> BadSsv2Entries => new()
    {
        { "[\n{\"id\":\"1\",\"template\":\"Putting [something] on a surface\"},\n{\"template\":\"Putting [something] on a surface\"}\n]", 3, "no \"id\"" },
        { "[\n{\"id\":\"1\",\"template\":\"Juggling [something]\"}\n]", 2, "is not in" },
        { "[\n{\"id\":\"1\"}\n]", 2, "no \"template\"" },
        { "[\n{\"id\":\"../1\",\"template\":\"Putting [something] on a surface\"}\n]", 2, "path separator" },
        { "[\n{\"id\":\"7\",\"template\":\"Putting [something] on a surface\"},\n\n{\"id\":\"7\",\"template\":\"Putting [something] on a surface\"}\n]", 4, "listed twice" },
        { "[\n{\"id\":\"1\",\n \"template\": oops}\n]", 3, "invalid JSON" },
        { "{\"id\":\"1\"}", 1, "array" },
    };

    [Theory]
    [MemberData(nameof(BadSsv2Entries))]
    public async Task Ssv2_malformed_entry_names_file_and_line(string json, int line, string reason)
    {
        string path = Write("something-something-v2-train.json", json);
        var e = await Malformed(Ssv2(Path.Combine(Manifests, "ssv2", "labels.json"), path));
        Assert.Equal((path, line), (e.File, e.Line));
        Assert.Contains(reason, e.Reason);
    }

    [Theory]
    [InlineData("{\n\"a\": \"0\",\n\"b\": \"0\"\n}", 3, "index 0")]
    [InlineData("{\n\"a\": \"0\",\n\"b\": \"x\"\n}", 3, "non-negative integer")]
    [InlineData("{\n\"a\": \"0\",\n\"b\": \"2\"\n}", 0, "1 is missing")]
    public async Task Ssv2_malformed_labels_json_is_reported(string json, int line, string reason)
    {
        string labels = Write("labels.json", json);
        string train = Write("something-something-v2-train.json", "[]");
        var e = await Malformed(Ssv2(labels, train));
        Assert.Equal((labels, line), (e.File, e.Line));
        Assert.Contains(reason, e.Reason);
    }

    [Fact]
    public async Task Ssv2_file_without_a_split_in_its_name_is_refused()
    {
        string path = Write("annotations.json", "[]");
        var e = await Malformed(Ssv2(Path.Combine(Manifests, "ssv2", "labels.json"), path));
        Assert.Contains("split", e.Reason);
    }

    // ---- UCF101 ----

    [Fact]
    public async Task Ucf101_lists_give_zero_based_labels_and_class_folders()
    {
        var m = await new Ucf101Reader(Path.Combine(Manifests, "ucf101"), "/ucf").ReadAsync();
        Assert.Equal(["ApplyEyeMakeup", "Archery", "HandstandPushups"], m.LabelNames);
        Assert.Equal([0, 0, 1, 2], m.Split(DatasetSplits.Train).Select(e => e.Label));
        Assert.Equal([0, 1, 2], m.Split(DatasetSplits.Test).Select(e => e.Label));
        Assert.Equal(new VideoEntry("v_HandStandPushups_g01_c01", "/ucf/HandstandPushups/v_HandStandPushups_g01_c01.avi", 2, "HandstandPushups", "test"),
            m.Split(DatasetSplits.Test).Last());
    }

    [Theory]
    [InlineData("trainlist01.txt", "ApplyEyeMakeup/v_a.avi 1\nArchery/v_b.avi 1\n", 2, "disagrees")]
    [InlineData("trainlist01.txt", "ApplyEyeMakeup/v_a.avi\n", 1, "expected")]
    [InlineData("trainlist01.txt", "ApplyEyeMakeup/v_a.avi 9\n", 1, "not 1..3")]
    [InlineData("testlist01.txt", "Juggling/v_c.avi\n", 1, "not in classInd")]
    [InlineData("testlist01.txt", "../x/v_c.avi\n", 1, "climbs out")]
    [InlineData("classInd.txt", "1 ApplyEyeMakeup\n3 Archery\n", 2, "where 2 was expected")]
    public async Task Ucf101_malformed_line_names_file_and_line(string file, string text, int line, string reason)
    {
        foreach (string f in new[] { "classInd.txt", "trainlist01.txt", "testlist01.txt" })
            File.Copy(Path.Combine(Manifests, "ucf101", f), _dir.File(f), overwrite: true);
        string path = Write(file, text);
        var e = await Malformed(new Ucf101Reader(_dir.Path, "/ucf"));
        Assert.Equal((path, line), (e.File, e.Line));
        Assert.Contains(reason, e.Reason);
    }

    // ---- HMDB51 ----

    [Fact]
    public async Task Hmdb51_split_ids_pick_train_and_test_and_skip_unused()
    {
        var m = await new Hmdb51Reader(Path.Combine(Manifests, "hmdb51"), "/hmdb").ReadAsync();
        Assert.Equal(["brush_hair", "cartwheel", "catch"], m.LabelNames);
        Assert.Equal(6, m.Entries.Count);   // 8 lines, 2 marked 0
        Assert.Equal(["April_09_brush_hair_u_nm_np1_ba_goo_0", "Bodenturnen_2004_cartwheel_f_cm_np1_le_med_0", "Catch_Me_If_You_Can_catch_f_cm_np1_le_bad_1"],
            m.Split(DatasetSplits.Train).Select(e => e.VideoId));
        Assert.Equal([0, 1, 2], m.Split(DatasetSplits.Test).Select(e => e.Label));
        Assert.Equal("/hmdb/catch/Ball_hochwerfen_-_Rolle_-_Ball_fangen_catch_u_cm_np1_fr_goo_0.avi", m.Split(DatasetSplits.Test).Last().Path);
        Assert.DoesNotContain(m.Entries, e => e.VideoId.StartsWith("Fangen"));
    }

    [Theory]
    [InlineData("a.avi 3\n", 1, "not 0 (unused)")]
    [InlineData("a.avi 1\nb.avi\n", 2, "expected")]
    [InlineData("a.avi 1\n\nsub/b.avi 2\n", 3, "path separator")]
    public async Task Hmdb51_malformed_line_names_file_and_line(string text, int line, string reason)
    {
        string path = Write("jump_test_split1.txt", text);
        var e = await Malformed(new Hmdb51Reader(_dir.Path, "/hmdb"));
        Assert.Equal((path, line), (e.File, e.Line));
        Assert.Contains(reason, e.Reason);
    }

    // ---- plain folder ----

    [Fact]
    public async Task Folder_classes_are_sorted_folder_names_and_non_videos_are_skipped()
    {
        foreach (string f in new[] { "walk/b.mp4", "walk/a.webm", "walk/notes.txt", "run/x.avi", ".cache/y.mp4", "README.md" })
            Write("data/" + f, "x");
        var m = await new FolderDatasetReader(_dir.File("data"), "validation").ReadAsync();
        Assert.Equal(["run", "walk"], m.LabelNames);
        Assert.Equal(["x", "a", "b"], m.Entries.Select(e => e.VideoId));
        Assert.Equal([0, 1, 1], m.Entries.Select(e => e.Label));
        Assert.All(m.Entries, e => Assert.Equal(DatasetSplits.Val, e.Split));
    }

    [Fact]
    public async Task Folder_video_without_a_class_folder_is_an_error()
    {
        Write("data/walk/a.mp4", "x");
        string stray = Write("data/loose.mp4", "x");
        var e = await Malformed(new FolderDatasetReader(_dir.File("data")));
        Assert.Equal(stray, e.File);
    }

    [Fact]
    public async Task Missing_annotation_file_is_a_file_not_found_error()
        => await Assert.ThrowsAsync<FileNotFoundException>(() => new Ucf101Reader(_dir.Path, "/ucf").ReadAsync());

    public void Dispose() => _dir.Dispose();
}
