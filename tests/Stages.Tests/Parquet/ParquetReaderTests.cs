using System.Text.Json;
using CrossVideoMAE.Stages.Parquet.Reading;
using CrossVideoMAE.Stages.Parquet.Schema;
using CrossVideoMAE.Stages.Parquet.Writing;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests.Parquet;

public class ParquetReaderTests
{
    [Theory]
    [InlineData(ParquetCompression.Uncompressed)]
    [InlineData(ParquetCompression.Gzip)]
    public async Task Reads_back_every_value_of_our_own_files(ParquetCompression compression)
    {
        using var dir = new TempDir();
        string path = dir.File("own.parquet");
        const int rows = 700;
        await SampleTable.WriteAsync(path, rows, new ParquetWriterOptions { Compression = compression, RowGroupTargetBytes = 6000, PageTargetBytes = 1500 });

        await using ParquetFileReader reader = await ParquetFileReader.OpenAsync(path);
        Assert.True(reader.Schema.SameAs(SampleTable.Schema));
        Assert.Equal(rows, reader.RowCount);
        Assert.True(reader.RowGroupCount > 3);
        int id = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            RowGroupData group = await reader.ReadRowGroupAsync(g);
            for (int r = 0; r < group.RowCount; r++, id++)
            {
                object?[] expected = SampleTable.Row(id);
                for (int c = 0; c < expected.Length; c++) Assert.Equal(expected[c], group.Columns[c].GetValue(r));
            }
        }
        Assert.Equal(rows, id);
    }

    [Fact]
    public async Task Reads_only_the_requested_columns()
    {
        using var dir = new TempDir();
        string path = dir.File("projection.parquet");
        await SampleTable.WriteAsync(path, 50, new ParquetWriterOptions());
        await using ParquetFileReader reader = await ParquetFileReader.OpenAsync(path);
        RowGroupData group = await reader.ReadRowGroupAsync(0, ["text", "id"]);
        Assert.Equal(["id", "text"], group.Columns.Select(c => c.Column.Name));
        Assert.Equal(SampleTable.Text(4), group["text"].GetString(4));
        Assert.True(group["text"].IsNull(3));
        Assert.Throws<KeyNotFoundException>(() => group["blob"]);
        Assert.Throws<InvalidOperationException>(() => group["id"].GetString(0));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => reader.ReadRowGroupAsync(0, ["nope"]));
    }

    [Fact]
    public async Task Writer_rejects_values_that_do_not_fit_the_schema()
    {
        using var dir = new TempDir();
        await using var writer = new ParquetFileWriter(File.Create(dir.File("x.parquet")), SampleTable.Schema);
        object?[] row = SampleTable.Row(0);
        row[0] = null;
        var e = await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendRowAsync(row).AsTask());
        Assert.Contains("'id' is required", e.Message);
        row = SampleTable.Row(0);
        row[3] = 5; // int where a long belongs
        e = await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendRowAsync(row).AsTask());
        Assert.Contains("'i64' (Int64) takes Int64 values, not Int32", e.Message);
        e = await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendRowAsync(row[..3]).AsTask());
        Assert.Contains("3 values but the schema has 9", e.Message);
    }

    [Theory]
    [InlineData("UNCOMPRESSED")]
    [InlineData("GZIP")]
    public async Task Reads_files_written_by_DuckDb_including_dictionary_pages(string codec)
    {
        using var dir = new TempDir();
        string path = dir.File("duck.parquet");
        string file = DuckDb.Literal(path);
        const string Columns = "id, flag, i64::VARCHAR AS i64, f32, f64, cat, small, text, blob";
        JsonElement[] expected = DuckDb.Query(
            "COPY (SELECT i::INTEGER AS id, (i % 3 = 0) AS flag, " +
            "  CASE WHEN i % 4 = 1 THEN NULL ELSE i * 1000000007 END::BIGINT AS i64, " +
            "  (i * 0.25)::FLOAT AS f32, CASE WHEN i % 5 = 2 THEN NULL ELSE i / 7 END::DOUBLE AS f64, " +
            "  CASE WHEN i % 6 = 3 THEN NULL ELSE 'cat_' || (i % 10) END AS cat, (i % 10)::INTEGER AS small, " +
            "  'unique ✓ ' || i AS text, ('blob' || i)::BLOB AS blob " +
            $"  FROM range(5000) t(i)) TO {file} (FORMAT PARQUET, COMPRESSION {codec}, ROW_GROUP_SIZE 2048); " +
            $"SELECT {Columns} FROM read_parquet({file}) ORDER BY id");
        JsonElement[] encodings = DuckDb.Query($"SELECT DISTINCT path_in_schema AS col, encodings FROM parquet_metadata({file}) ORDER BY col");
        Assert.Contains(encodings, e => e.GetProperty("encodings").GetString()!.Contains("DICTIONARY"));

        await using ParquetFileReader reader = await ParquetFileReader.OpenAsync(path);
        Assert.Equal(5000, reader.RowCount);
        Assert.True(reader.RowGroupCount >= 2);
        Assert.Equal(ParquetType.String, reader.Schema["cat"].Type);
        Assert.Equal(ParquetType.Binary, reader.Schema["blob"].Type);
        int row = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            RowGroupData group = await reader.ReadRowGroupAsync(g);
            for (int r = 0; r < group.RowCount; r++, row++)
            {
                JsonElement e = expected[row];
                Assert.Equal(e.GetProperty("id").GetInt32(), group["id"].GetInt32(r));
                Assert.Equal(e.GetProperty("flag").GetBoolean(), group["flag"].GetBoolean(r));
                Assert.Equal(Nullable(e, "i64", x => x.GetString()), group["i64"].IsNull(r) ? null : group["i64"].GetInt64(r).ToString());
                Assert.Equal(e.GetProperty("f32").GetDouble(), group["f32"].GetFloat(r));
                Assert.Equal(Nullable(e, "f64", x => (double?)x.GetDouble()), group["f64"].IsNull(r) ? null : group["f64"].GetDouble(r));
                Assert.Equal(Nullable(e, "cat", x => x.GetString()), group["cat"].IsNull(r) ? null : group["cat"].GetString(r));
                Assert.Equal(e.GetProperty("small").GetInt32(), group["small"].GetInt32(r));
                Assert.Equal(e.GetProperty("text").GetString(), group["text"].GetString(r));
                Assert.Equal(e.GetProperty("blob").GetString(), Convert.ToBase64String(group["blob"].GetBytes(r)));
            }
        }
        Assert.Equal(expected.Length, row);
    }

    [Fact]
    public async Task A_codec_we_do_not_support_is_named_in_the_error()
    {
        using var dir = new TempDir();
        string path = dir.File("snappy.parquet");
        DuckDb.Query($"COPY (SELECT i::INTEGER AS id FROM range(10) t(i)) TO {DuckDb.Literal(path)} (FORMAT PARQUET, COMPRESSION SNAPPY)");
        await using ParquetFileReader reader = await ParquetFileReader.OpenAsync(path);
        Assert.Equal(10, reader.RowCount);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadRowGroupAsync(0));
        Assert.Contains(path, e.Message);
        Assert.Contains("compression codec Snappy is not supported", e.Message);
    }

    [Fact]
    public async Task Parquet_v2_encodings_we_do_not_decode_are_named_in_the_error()
    {
        using var dir = new TempDir();
        string path = dir.File("v2.parquet");
        JsonElement[] encodings = DuckDb.Query(
            $"COPY (SELECT i::INTEGER AS n, (i % 3 = 0) AS flag FROM range(100) t(i)) TO {DuckDb.Literal(path)} " +
            "(FORMAT PARQUET, COMPRESSION GZIP, PARQUET_VERSION V2); " +
            $"SELECT path_in_schema AS col, encodings FROM parquet_metadata({DuckDb.Literal(path)}) ORDER BY column_id");
        Assert.Equal("DELTA_BINARY_PACKED", encodings[0].GetProperty("encodings").GetString());

        await using ParquetFileReader reader = await ParquetFileReader.OpenAsync(path);
        RowGroupData flags = await reader.ReadRowGroupAsync(0, ["flag"]);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i % 3 == 0), Enumerable.Range(0, 100).Select(flags["flag"].GetBoolean));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadRowGroupAsync(0, ["n"]));
        Assert.Contains($"Parquet file '{path}' is invalid: row group 0, column 'n': value encoding DeltaBinaryPacked is not supported", e.Message);
    }

    private static T? Nullable<T>(JsonElement row, string name, Func<JsonElement, T?> read)
    {
        JsonElement v = row.GetProperty(name);
        return v.ValueKind == JsonValueKind.Null ? default : read(v);
    }
}
