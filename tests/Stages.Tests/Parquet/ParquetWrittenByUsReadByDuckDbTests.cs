using System.Security.Cryptography;
using System.Text.Json;
using CrossVideoMAE.Stages.Parquet.Schema;
using CrossVideoMAE.Stages.Parquet.Writing;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests.Parquet;

/// <summary>Files written by our writer, read by DuckDB as the independent reader.</summary>
public class ParquetWrittenByUsReadByDuckDbTests
{
    [Theory]
    [InlineData(ParquetCompression.Uncompressed, "UNCOMPRESSED")]
    [InlineData(ParquetCompression.Gzip, "GZIP")]
    public async Task DuckDb_reads_schema_values_nulls_and_row_groups(ParquetCompression compression, string duckDbCodec)
    {
        using var dir = new TempDir();
        string path = dir.File("sample.parquet");
        const int rows = 1000;
        ParquetFileWriter writer = await SampleTable.WriteAsync(path, rows, new ParquetWriterOptions
        {
            Compression = compression,
            RowGroupTargetBytes = 8 * 1024,
            PageTargetBytes = 2 * 1024,
        });
        Assert.True(writer.RowGroupCount > 3, $"expected several row groups, got {writer.RowGroupCount}");
        Assert.Equal(new FileInfo(path).Length, writer.BytesWritten);
        string file = DuckDb.Literal(path);

        JsonElement[] describe = DuckDb.Query($"DESCRIBE SELECT * FROM read_parquet({file})");
        Assert.Equal(
            ["id INTEGER", "flag BOOLEAN", "i32 INTEGER", "i64 BIGINT", "f32 FLOAT", "f64 DOUBLE", "text VARCHAR", "blob BLOB", "maybe_flag BOOLEAN"],
            describe.Select(r => $"{r.GetProperty("column_name").GetString()} {r.GetProperty("column_type").GetString()}"));

        JsonElement[] values = DuckDb.Query(
            $"SELECT id, flag, i32, i64::VARCHAR AS i64, f32, f64, text, blob, maybe_flag FROM read_parquet({file}) ORDER BY id");
        Assert.Equal(rows, values.Length);
        for (int id = 0; id < rows; id++)
        {
            object?[] expected = SampleTable.Row(id);
            JsonElement r = values[id];
            Assert.Equal(id, r.GetProperty("id").GetInt32());
            Assert.Equal((bool)expected[1]!, r.GetProperty("flag").GetBoolean());
            Assert.Equal((int)expected[2]!, r.GetProperty("i32").GetInt32());
            AssertNullable(expected[3] is long l ? l.ToString() : null, r.GetProperty("i64"), e => e.GetString());
            Assert.Equal((double)(float)expected[4]!, r.GetProperty("f32").GetDouble());
            AssertNullable((double?)expected[5], r.GetProperty("f64"), e => e.GetDouble());
            AssertNullable((string?)expected[6], r.GetProperty("text"), e => e.GetString());
            Assert.Equal(Convert.ToBase64String((byte[])expected[7]!), r.GetProperty("blob").GetString());
            AssertNullable((bool?)expected[8], r.GetProperty("maybe_flag"), e => e.GetBoolean());
        }

        JsonElement meta = DuckDb.Query(
            $"SELECT count(DISTINCT row_group_id) AS groups, string_agg(DISTINCT compression, ',') AS codecs, " +
            $"max(row_group_id) AS last FROM parquet_metadata({file})").Single();
        Assert.Equal(writer.RowGroupCount, meta.GetProperty("groups").GetInt32());
        Assert.Equal(duckDbCodec, meta.GetProperty("codecs").GetString());
    }

    [Fact]
    public async Task DuckDb_reads_multi_megabyte_blobs_intact()
    {
        using var dir = new TempDir();
        string path = dir.File("blobs.parquet");
        var schema = new ParquetSchema([new ParquetColumn("id", ParquetType.Int32), new ParquetColumn("jpeg", ParquetType.Binary)]);
        var rng = new Random(11);
        int[] sizes = [2 * 1024 * 1024, 17, 3 * 1024 * 1024 + 5, 0, 2 * 1024 * 1024];
        byte[][] blobs = sizes.Select(n => { var b = new byte[n]; rng.NextBytes(b); return b; }).ToArray();
        await using (var writer = new ParquetFileWriter(File.Create(path), schema, new ParquetWriterOptions { RowGroupTargetBytes = 4 * 1024 * 1024 }))
        {
            for (int i = 0; i < blobs.Length; i++) await writer.AppendRowAsync([i, blobs[i]]);
            await writer.CompleteAsync();
            Assert.True(writer.RowGroupCount >= 2);
        }

        JsonElement[] rows = DuckDb.Query($"SELECT id, md5(jpeg) AS h, octet_length(jpeg) AS n FROM read_parquet({DuckDb.Literal(path)}) ORDER BY id");
        Assert.Equal(blobs.Length, rows.Length);
        for (int i = 0; i < blobs.Length; i++)
        {
            Assert.Equal(blobs[i].Length, rows[i].GetProperty("n").GetInt32());
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(blobs[i])), rows[i].GetProperty("h").GetString());
        }
    }

    [Fact]
    public async Task DuckDb_sees_our_column_statistics()
    {
        using var dir = new TempDir();
        string path = dir.File("stats.parquet");
        var schema = new ParquetSchema(
        [
            new ParquetColumn("n", ParquetType.Int32, Optional: true),
            new ParquetColumn("big", ParquetType.Int64),
            new ParquetColumn("name", ParquetType.String),
        ]);
        await using (var writer = new ParquetFileWriter(File.Create(path), schema))
        {
            await writer.AppendRowAsync([5, 10L, "walk"]);
            await writer.AppendRowAsync([null, -3L, "Zebra"]);
            await writer.AppendRowAsync([-42, 7_000_000_000L, "apple"]);
            await writer.AppendRowAsync([null, 0L, "ñandú"]);
            await writer.CompleteAsync();
        }
        JsonElement[] stats = DuckDb.Query(
            $"SELECT path_in_schema AS col, stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls " +
            $"FROM parquet_metadata({DuckDb.Literal(path)}) ORDER BY column_id");
        Assert.Equal(["n -42 5 2", "big -3 7000000000 0", "name Zebra ñandú 0"],
            stats.Select(s => $"{s.GetProperty("col").GetString()} {s.GetProperty("lo").GetString()} {s.GetProperty("hi").GetString()} {s.GetProperty("nulls").GetInt64()}"));
        // DuckDB prunes row groups with these statistics; the filtered count must still be right.
        JsonElement count = DuckDb.Query($"SELECT count(*) AS c FROM read_parquet({DuckDb.Literal(path)}) WHERE big > 6000000000").Single();
        Assert.Equal(1, count.GetProperty("c").GetInt32());
    }

    private static void AssertNullable<T>(T? expected, JsonElement actual, Func<JsonElement, T?> read)
    {
        if (expected is null) Assert.Equal(JsonValueKind.Null, actual.ValueKind);
        else Assert.Equal(expected, read(actual));
    }
}
