using System.Text.Json;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests.Shards;

public sealed class ShardWriterReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IEnumerable<ShardRow> Rows(int videos, int clipsPerVideo, ShardLayout layout, int frameBytes = 600) =>
        Enumerable.Range(0, videos).SelectMany(v => Enumerable.Range(0, clipsPerVideo).Select(c => ShardTestRows.Row(v, c, layout, frameBytes) with { Split = "train" }));  // one split: no split roll

    [Fact]
    public async Task Rows_read_back_identically_with_our_reader_with_and_without_the_manifest_and_with_DuckDb()
    {
        var layout = new ShardLayout(clipLength: 16, sampledFrames: 2);
        ShardRow[] rows = Rows(videos: 6, clipsPerVideo: 2, layout).ToArray();
        ShardInfo info;
        await using (var writer = new ShardWriter(_dir.Path, "train", layout, new ShardWriterOptions { RowGroupBytes = 40_000 }))
        {
            foreach (ShardRow row in rows) Assert.Null(await writer.AppendAsync(row));
            info = (await writer.CompleteAsync())!;
        }
        Assert.Equal("train-00000.parquet", info.File);
        Assert.Equal(rows.Length, info.Rows);
        string path = _dir.File(info.File);
        Assert.Equal(new FileInfo(path).Length, info.Bytes);

        await using (ShardReader reader = await ShardReader.OpenAsync(_dir.Path, info))
        {
            Assert.Equal(layout, reader.Layout);
            Assert.True(reader.RowGroupCount > 1, "small row groups should give several");
            var read = new List<ShardRow>();
            await foreach (ShardRow row in reader.ReadRowsAsync()) read.Add(row);
            Assert.Equal(rows.Length, read.Count);
            for (int i = 0; i < rows.Length; i++) ShardTestRows.AssertSame(rows[i], read[i]);
        }
        await using (ShardReader unlisted = await ShardReader.OpenUnlistedAsync(path))
        {
            var read = new List<ShardRow>();
            await foreach (ShardRow row in unlisted.ReadRowsAsync()) read.Add(row);
            Assert.Equal(rows.Length, read.Count);
            for (int i = 0; i < rows.Length; i++) ShardTestRows.AssertSame(rows[i], read[i]);
        }

        string file = DuckDb.Literal(path);
        JsonElement[] columns = DuckDb.Query($"DESCRIBE SELECT * FROM read_parquet({file})");
        string[] expectedColumns =
        [
            "video_id VARCHAR", "clip_index INTEGER", "label INTEGER", "label_name VARCHAR", "split VARCHAR", "source_path VARCHAR",
            "fps DOUBLE", "width INTEGER", "height INTEGER", "num_video_frames INTEGER", "clip_start INTEGER", "stride INTEGER",
            "frame_indices INTEGER[]", "padded BOOLEAN", "sampled_frame_indices INTEGER[]", "sampled_positions INTEGER[]",
            .. Enumerable.Range(0, 16).Select(i => $"frame_{i:D2} BLOB"), "sampled_0 BLOB", "sampled_1 BLOB",
        ];
        Assert.Equal(expectedColumns, columns.Select(c => $"{c.GetProperty("column_name").GetString()} {c.GetProperty("column_type").GetString()}"));

        JsonElement[] duck = DuckDb.Query(
            "SELECT video_id, clip_index, label, label_name, split, source_path, fps, width, height, num_video_frames, clip_start, stride, " +
            "  padded, frame_indices[1] AS first_index, frame_indices[16] AS last_index, len(frame_indices) AS clip_length, " +
            "  array_to_string(frame_indices, ',') AS idx, array_to_string(sampled_frame_indices, ',') AS sampled_frame_indices, " +
            "  array_to_string(sampled_positions, ',') AS sampled_positions, len(sampled_positions) AS sampled_count, " +
            "  md5(frame_00) AS f00, md5(frame_15) AS f15, md5(sampled_1) AS s1 " +
            $"FROM read_parquet({file}) ORDER BY video_id, clip_index");
        Assert.Equal(rows.Length, duck.Length);
        foreach ((ShardRow expected, JsonElement actual) in rows.OrderBy(r => r.VideoId, StringComparer.Ordinal).ThenBy(r => r.ClipIndex).Zip(duck))
        {
            Assert.Equal(expected.VideoId, actual.GetProperty("video_id").GetString());
            Assert.Equal(expected.ClipIndex, actual.GetProperty("clip_index").GetInt32());
            Assert.Equal(expected.Label, actual.GetProperty("label").GetInt32());
            Assert.Equal(expected.LabelName, actual.GetProperty("label_name").GetString());
            Assert.Equal(expected.Split, actual.GetProperty("split").GetString());
            Assert.Equal(expected.SourcePath, actual.GetProperty("source_path").GetString());
            Assert.Equal(expected.Fps, actual.GetProperty("fps").GetDouble());
            Assert.Equal((expected.Width, expected.Height), (actual.GetProperty("width").GetInt32(), actual.GetProperty("height").GetInt32()));
            Assert.Equal(expected.NumVideoFrames, actual.GetProperty("num_video_frames").GetInt32());
            Assert.Equal(expected.ClipStart, actual.GetProperty("clip_start").GetInt32());
            Assert.Equal(expected.Stride, actual.GetProperty("stride").GetInt32());
            Assert.Equal(expected.Padded, actual.GetProperty("padded").GetBoolean());
            Assert.Equal(expected.FrameIndices[0], actual.GetProperty("first_index").GetInt32());
            Assert.Equal(expected.FrameIndices[15], actual.GetProperty("last_index").GetInt32());
            Assert.Equal(16, actual.GetProperty("clip_length").GetInt32());
            Assert.Equal(2, actual.GetProperty("sampled_count").GetInt32());
            Assert.Equal(string.Join(',', expected.FrameIndices), actual.GetProperty("idx").GetString());
            Assert.Equal(string.Join(',', expected.SampledFrameIndices), actual.GetProperty("sampled_frame_indices").GetString());
            Assert.Equal(string.Join(',', expected.SampledPositions), actual.GetProperty("sampled_positions").GetString());
            Assert.Equal(Md5(expected.Frames[0]), actual.GetProperty("f00").GetString());
            Assert.Equal(Md5(expected.Frames[15]), actual.GetProperty("f15").GetString());
            Assert.Equal(Md5(expected.SampledFrames[1]), actual.GetProperty("s1").GetString());
        }
    }

    [Fact]
    public async Task Rollover_makes_several_shards_within_the_limit_whose_rows_and_hashes_check_out()
    {
        var layout = ShardLayout.Default;
        const long limit = 200_000;
        ShardRow[] rows = Rows(videos: 20, clipsPerVideo: 2, layout, frameBytes: 1500).ToArray(); // ~25 KB a row
        var finishedDuringAppend = new List<ShardInfo>();
        ShardInfo[] shards;
        await using (var writer = new ShardWriter(_dir.Path, "val", layout, new ShardWriterOptions { MaxShardBytes = limit, RowGroupBytes = 60_000 }))
        {
            foreach (ShardRow row in rows)
            {
                if (await writer.AppendAsync(row) is ShardInfo done) finishedDuringAppend.Add(done);
            }
            await writer.CompleteAsync();
            shards = writer.Completed.ToArray();
        }

        Assert.True(shards.Length >= 4, $"expected several shards, got {shards.Length}");
        Assert.Equal(shards[..^1], finishedDuringAppend);
        Assert.Equal(Enumerable.Range(0, shards.Length).Select(i => $"val-{i:D5}.parquet"), shards.Select(s => s.File));
        Assert.Equal(shards.Select(s => s.File).Order(), Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order()); // no temporary files left
        Assert.Equal(rows.Length, shards.Sum(s => s.Rows));
        foreach (ShardInfo s in shards)
        {
            long size = new FileInfo(_dir.File(s.File)).Length;
            Assert.Equal(size, s.Bytes);
            Assert.True(size <= limit, $"{s.File} has {size} bytes, over the {limit} limit");
            Assert.True(s.Rows > 0);
        }

        // sha256sum is the independent check of the hashes computed while writing.
        string sums = ProcessRunner.Run("sha256sum", shards.Select(s => s.File), workDir: _dir.Path);
        Assert.Equal(shards.Select(s => $"{s.Sha256}  {s.File}"), sums.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        JsonElement total = DuckDb.Query(
            $"SELECT count(*) AS n, count(DISTINCT video_id) AS videos FROM read_parquet({DuckDb.Literal(Path.Combine(_dir.Path, "val-*.parquet"))})").Single();
        Assert.Equal(rows.Length, total.GetProperty("n").GetInt32());
        Assert.Equal(20, total.GetProperty("videos").GetInt32());

        var readBack = new List<ShardRow>();
        foreach (ShardInfo s in shards)
        {
            await using ShardReader reader = await ShardReader.OpenAsync(_dir.Path, s);
            await foreach (ShardRow row in reader.ReadRowsAsync()) readBack.Add(row);
        }
        Assert.Equal(rows.Length, readBack.Count);
        for (int i = 0; i < rows.Length; i++) ShardTestRows.AssertSame(rows[i], readBack[i]);
    }

    [Fact]
    public async Task Shard_with_a_wrong_hash_or_size_is_refused_naming_the_file()
    {
        ShardInfo info = await WriteOneShardAsync("check");
        string path = _dir.File(info.File);

        string wrong = info.Sha256[..^1] + (info.Sha256[^1] == '0' ? '1' : '0');
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardReader.OpenAsync(path, wrong));
        Assert.Contains($"shard '{path}' failed its SHA-256 check: expected {wrong}, found {info.Sha256}", e.Message);

        e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardReader.OpenAsync(_dir.Path, info with { Bytes = info.Bytes + 1 }));
        Assert.Contains($"shard '{path}' has {info.Bytes} bytes but the index lists {info.Bytes + 1}", e.Message);

        e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardReader.OpenAsync(_dir.Path, info with { Rows = info.Rows + 1 }));
        Assert.Contains($"holds {info.Rows} rows but the index lists {info.Rows + 1}", e.Message);

        // One flipped byte in the middle of the file: same size, different hash.
        byte[] bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);
        e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardReader.OpenAsync(_dir.Path, info));
        Assert.Contains("failed its SHA-256 check", e.Message);

        await Assert.ThrowsAsync<ArgumentException>(() => ShardReader.OpenAsync(path, "not-a-hash"));
        await Assert.ThrowsAsync<InvalidDataException>(() => ShardReader.OpenAsync(_dir.Path, info with { File = "/" + info.File }));
    }

    [Fact]
    public async Task A_parquet_file_that_is_not_a_shard_is_refused()
    {
        string path = _dir.File("other.parquet");
        await ForeignParquet.WriteAsync(path, ("id", [1, 2, 3]), new Dictionary<string, string>());
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardReader.OpenAsync(path, Sha256Of(path)));
        Assert.Contains($"shard '{path}' is invalid: not a shard: the footer has no cvmae.shard.format entry", e.Message);

        // The footer says format 2, the columns say otherwise.
        await ForeignParquet.WriteAsync(path, ("id", [1, 2, 3]), ShardSchema.FooterMetadata(ShardLayout.Default));
        e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardReader.OpenUnlistedAsync(path));
        Assert.Contains($"shard '{path}' is invalid: not a shard schema of clip length 16 and 1 sampled frames: 1 top-level columns, expected 33", e.Message);
    }

    [Fact]
    public async Task A_format_1_shard_is_refused_with_a_message_to_rerun_prepare()
    {
        // Format 1 stored the index lists as comma-separated strings and said so in its footer.
        string path = _dir.File("old-00000.parquet");
        await ForeignParquet.WriteAsync(path, ("clip_index", [0]), new Dictionary<string, string>
        {
            [ShardSchema.FormatKey] = "1", [ShardSchema.ClipLengthKey] = "16", [ShardSchema.SampledFramesKey] = "1",
        });
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardReader.OpenAsync(path, Sha256Of(path)));
        Assert.Contains($"shard '{path}' is invalid: shard format 1", e.Message);
        Assert.Contains("re-run `cvmae prepare`", e.Message);
    }

    [Fact]
    public async Task Rows_that_break_the_shard_rules_are_refused_and_the_writer_goes_on()
    {
        var layout = ShardLayout.Default;
        ShardRow good = ShardTestRows.Row(1, 0, layout);
        (ShardRow Row, string Reason)[] bad =
        [
            (good with { Frames = good.Frames.Take(15).ToArray() }, "the clip has 15 frames, expected 16"),
            (good with { FrameIndices = good.FrameIndices.Reverse().ToArray() }, "frame_indices starts at"),
            (good with { SampledFrameIndices = [good.FrameIndices[good.SampledPositions[0]] + 1] }, "sampled frame 0 has source index"),
            (good with { SampledPositions = [16] }, "sampled position 16 is outside the clip"),
            (good with { Frames = [new byte[] { 1, 2, 3 }, .. good.Frames.Skip(1)] }, "frame_00 is not a JPEG file"),
            (good with { Fps = double.NaN }, "fps NaN is not a positive number"),
            (good with { VideoId = "" }, "video_id is empty"),
        ];
        await using var writer = new ShardWriter(_dir.Path, "rules", layout);
        foreach ((ShardRow row, string reason) in bad)
        {
            var e = await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendAsync(row).AsTask());
            Assert.Contains(reason, e.Message);
        }
        await writer.AppendAsync(good);
        ShardInfo info = (await writer.CompleteAsync())!;
        Assert.Equal(1, info.Rows);
    }

    [Fact]
    public async Task Abandoned_shard_leaves_no_file_and_existing_shards_are_not_overwritten()
    {
        var layout = ShardLayout.Default;
        await using (var writer = new ShardWriter(_dir.Path, "gone", layout))
        {
            await writer.AppendAsync(ShardTestRows.Row(2, 0, layout));
            Assert.Single(Directory.GetFiles(_dir.Path), f => f.EndsWith(".parquet.tmp", StringComparison.Ordinal));
        }
        Assert.Empty(Directory.GetFiles(_dir.Path));

        await WriteOneShardAsync("keep");
        await using var again = new ShardWriter(_dir.Path, "keep", layout);
        var e = await Assert.ThrowsAsync<IOException>(() => again.AppendAsync(ShardTestRows.Row(3, 0, layout)).AsTask());
        Assert.Contains("already exists", e.Message);
    }

    private async Task<ShardInfo> WriteOneShardAsync(string prefix)
    {
        await using var writer = new ShardWriter(_dir.Path, prefix, ShardLayout.Default);
        foreach (ShardRow row in Rows(3, 1, ShardLayout.Default)) await writer.AppendAsync(row);
        return (await writer.CompleteAsync())!;
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes));
}
