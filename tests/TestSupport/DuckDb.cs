using System.Text.Json;
using DuckDB.NET.Data;

namespace CrossVideoMAE.TestSupport;

/// <summary>
/// DuckDB (DuckDB.NET, the engine in process) as an independent reader of Parquet files. The calls
/// share one in-memory database (opening a database costs far more than a query), each on its own
/// connection, so tests may query in parallel; a scratch table should be a TEMP table, which
/// belongs to its call's connection and goes with it.
/// </summary>
public static class DuckDb
{
    private static readonly Lazy<DuckDBConnection> Database = new(() =>
    {
        var first = new DuckDBConnection("DataSource=:memory:");
        first.Open();
        return first;
    });
    private static readonly Lock DuplicateLock = new();

    /// <summary>
    /// Runs one or more SQL statements separated by ';' and returns the rows of the last one as JSON
    /// objects keyed by column name (see <see cref="DuckDbJson"/> for how values are written: BLOBs
    /// base64, integers and floats as numbers, lists as arrays, NULL as null).
    /// </summary>
    public static JsonElement[] Query(string sql)
    {
        DuckDBConnection connection;
        lock (DuplicateLock) connection = Database.Value.Duplicate();
        using var _ = connection;
        connection.Open();
        using DuckDBCommand command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            using DuckDBDataReader reader = command.ExecuteReader();
            byte[] json;
            do json = DuckDbJson.Rows(reader);   // keeps the last result set
            while (reader.NextResult());
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
        }
        catch (DuckDBException e)
        {
            throw new InvalidOperationException($"DuckDB failed on: {sql}\n{e.Message}", e);
        }
    }

    /// <summary>Quotes a file path as a DuckDB string literal.</summary>
    public static string Literal(string path) => "'" + path.Replace("'", "''") + "'";
}
