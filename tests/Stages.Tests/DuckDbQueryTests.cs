using System.Text.Json;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>The JSON shapes of <see cref="DuckDb.Query"/>, which every test reading our Parquet files relies on.</summary>
public class DuckDbQueryTests
{
    [Fact]
    public void Values_come_back_in_the_documented_json_shapes()
    {
        JsonElement row = DuckDb.Query(
            "SELECT 7::TINYINT AS i8, 9007199254740993::BIGINT AS i64, 170141183460469231731687303715884105727::HUGEINT AS i128, " +
            "0.1::FLOAT AS f32, 0.1::DOUBLE AS f64, 'nan'::DOUBLE AS nan, 12.50::DECIMAL(6,2) AS dec, true AS b, 'ñandú' AS s, " +
            "'\\x00\\xFFab'::BLOB AS blob, [1, 2, NULL] AS list, {'a': 1, 'b': 'x'} AS struct, NULL::INTEGER AS nothing, " +
            "DATE '2026-12-06' AS d").Single();
        Assert.Equal(7, row.GetProperty("i8").GetInt32());
        Assert.Equal(9007199254740993L, row.GetProperty("i64").GetInt64());                // exact beyond 2^53
        Assert.Equal("170141183460469231731687303715884105727", row.GetProperty("i128").GetRawText());
        Assert.Equal((double)0.1f, row.GetProperty("f32").GetDouble());                     // the float's value, widened
        Assert.Equal(0.1, row.GetProperty("f64").GetDouble());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("nan").ValueKind);
        Assert.Equal(12.5m, row.GetProperty("dec").GetDecimal());
        Assert.True(row.GetProperty("b").GetBoolean());
        Assert.Equal("ñandú", row.GetProperty("s").GetString());
        Assert.Equal(Convert.ToBase64String([0x00, 0xFF, (byte)'a', (byte)'b']), row.GetProperty("blob").GetString());
        Assert.Equal("[1,2,null]", row.GetProperty("list").GetRawText());
        Assert.Equal(1, row.GetProperty("struct").GetProperty("a").GetInt32());
        Assert.Equal("x", row.GetProperty("struct").GetProperty("b").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("nothing").ValueKind);
        Assert.StartsWith("2026-12-06", row.GetProperty("d").GetString());
    }

    [Fact]
    public void Several_statements_return_the_rows_of_the_last_and_a_temp_table_stays_in_its_call()
    {
        JsonElement[] rows = DuckDb.Query("CREATE TEMP TABLE scratch AS SELECT range AS i FROM range(5); SELECT sum(i) AS total, count(*) AS n FROM scratch");
        Assert.Equal(10, rows.Single().GetProperty("total").GetInt64());
        Assert.Equal(5, rows.Single().GetProperty("n").GetInt64());
        var e = Assert.Throws<InvalidOperationException>(() => DuckDb.Query("SELECT * FROM scratch"));
        Assert.Contains("SELECT * FROM scratch", e.Message);
    }

    [Fact]
    public void A_path_with_a_quote_is_a_valid_literal()
    {
        using var dir = new TempDir();
        string path = dir.File("it's.parquet");
        DuckDb.Query($"COPY (SELECT 42 AS answer) TO {DuckDb.Literal(path)} (FORMAT PARQUET)");
        Assert.True(File.Exists(path));
        Assert.Equal(42, DuckDb.Query($"SELECT answer FROM read_parquet({DuckDb.Literal(path)})").Single().GetProperty("answer").GetInt32());
    }
}
