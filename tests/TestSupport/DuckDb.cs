using System.Text.Json;

namespace CrossVideoMAE.TestSupport;

/// <summary>DuckDB (from npm, installed by ./run setup into tools/duckdb) as an independent
/// reader of Parquet files. Returns rows as JSON objects; BLOBs come back base64-encoded.</summary>
public static class DuckDb
{
    public static JsonElement[] Query(string sql)
    {
        string script = Path.Combine(RepoPaths.Root, "tools", "duckdb", "query.mjs");
        string json = ProcessRunner.Run("node", [script, sql]);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>Quotes a file path as a DuckDB string literal.</summary>
    public static string Literal(string path) => "'" + path.Replace("'", "''") + "'";
}
