using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text.Json;
using DuckDB.NET.Data;

namespace CrossVideoMAE.TestSupport;

/// <summary>
/// Writes a DuckDB result set as a JSON array of row objects, the shapes the tests read:
/// BLOB -> base64 string; integers (HUGEINT included), FLOAT, DOUBLE, DECIMAL -> numbers (FLOAT
/// widened to the double it holds; NaN and infinities -> null, as JSON has no such numbers);
/// VARCHAR, ENUM, UUID -> strings; dates and times -> ISO 8601 strings; LIST/ARRAY -> arrays;
/// STRUCT/MAP -> objects; NULL -> null. Any other type is an error naming the column.
/// </summary>
internal static class DuckDbJson
{
    public static byte[] Rows(DuckDBDataReader reader)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            string[] names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            while (reader.Read())
            {
                w.WriteStartObject();
                for (int i = 0; i < names.Length; i++)
                {
                    w.WritePropertyName(names[i]);
                    try { Value(w, reader.IsDBNull(i) ? null : Read(reader, i)); }
                    catch (NotSupportedException e) { throw new NotSupportedException($"column '{names[i]}': {e.Message}", e); }
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return buffer.ToArray();
    }

    /// <summary>The column's value; a list of numbers or booleans is read with nullable elements, as
    /// DuckDB.NET refuses to put a NULL element into a List of a non-nullable type.</summary>
    private static object? Read(DuckDBDataReader reader, int i)
    {
        Type type = reader.GetFieldType(i);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)
            && type.GetGenericArguments()[0] is { IsValueType: true } element && Nullable.GetUnderlyingType(element) is null)
        {
            Type nullableList = typeof(List<>).MakeGenericType(typeof(Nullable<>).MakeGenericType(element));
            try { return GetFieldValue.MakeGenericMethod(nullableList).Invoke(reader, [i]); }
            catch (TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
        }
        return reader.GetValue(i);
    }

    private static readonly MethodInfo GetFieldValue =
        typeof(DuckDBDataReader).GetMethod(nameof(DuckDBDataReader.GetFieldValue), [typeof(int)])
        ?? throw new MissingMethodException(nameof(DuckDBDataReader), nameof(DuckDBDataReader.GetFieldValue));

    private static void Value(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null or DBNull: w.WriteNullValue(); break;
            case bool b: w.WriteBooleanValue(b); break;
            case string s: w.WriteStringValue(s); break;
            case byte[] bytes: w.WriteBase64StringValue(bytes); break;
            case Stream stream: w.WriteBase64StringValue(ReadAll(stream)); break;
            case sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger:
                w.WriteRawValue(Convert.ToString(v, CultureInfo.InvariantCulture)!); break;
            case decimal m: w.WriteNumberValue(m); break;
            case float f: Double(w, f); break;   // the float's exact value as a double, as a JS number holds it
            case double d: Double(w, d); break;
            case Guid g: w.WriteStringValue(g.ToString()); break;
            case DateTime t: w.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
            case DateTimeOffset t: w.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
            case DateOnly d: w.WriteStringValue(d.ToString("O", CultureInfo.InvariantCulture)); break;
            case TimeOnly t: w.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
            case TimeSpan t: w.WriteStringValue(t.ToString("c", CultureInfo.InvariantCulture)); break;
            case IDictionary map:
                w.WriteStartObject();
                foreach (DictionaryEntry e in map)
                {
                    w.WritePropertyName(Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "");
                    Value(w, e.Value);
                }
                w.WriteEndObject();
                break;
            case IEnumerable items:
                w.WriteStartArray();
                foreach (object? item in items) Value(w, item);
                w.WriteEndArray();
                break;
            default: throw new NotSupportedException($"DuckDB value of type {v.GetType().FullName} has no JSON form here");
        }
    }

    private static void Double(Utf8JsonWriter w, double d)
    {
        if (double.IsFinite(d)) w.WriteNumberValue(d);
        else w.WriteNullValue();
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
