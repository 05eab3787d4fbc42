using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CrossVideoMAE.Stages.Tests.Shards;

/// <summary>
/// A small JSON Schema (draft 2020-12) validator for the keywords our schemas use, written for
/// the tests (no JSON Schema package is available). It throws on any keyword it does not know,
/// so a schema cannot silently carry a constraint that goes unchecked here.
/// </summary>
internal sealed class JsonSchemaSubset(JsonElement root)
{
    private static readonly HashSet<string> Annotations = ["$schema", "$id", "title", "description", "$defs"];

    public List<string> Validate(JsonElement instance)
    {
        var errors = new List<string>();
        Validate(root, instance, "$", errors);
        return errors;
    }

    private void Validate(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        foreach (JsonProperty keyword in schema.EnumerateObject())
        {
            JsonElement k = keyword.Value;
            switch (keyword.Name)
            {
                case var a when Annotations.Contains(a):
                    break;
                case "$ref":
                {
                    string reference = k.GetString()!;
                    if (!reference.StartsWith("#/$defs/", StringComparison.Ordinal)) throw new NotSupportedException(reference);
                    Validate(root.GetProperty("$defs").GetProperty(reference["#/$defs/".Length..]), value, path, errors);
                    break;
                }
                case "type":
                {
                    string[] types = k.ValueKind == JsonValueKind.Array ? k.EnumerateArray().Select(t => t.GetString()!).ToArray() : [k.GetString()!];
                    if (!types.Any(t => HasType(value, t))) errors.Add($"{path}: expected {string.Join("|", types)}, got {value.ValueKind}");
                    break;
                }
                case "const":
                    if (!JsonElement.DeepEquals(k, value)) errors.Add($"{path}: must equal {k}");
                    break;
                case "enum":
                    if (!k.EnumerateArray().Any(e => JsonElement.DeepEquals(e, value))) errors.Add($"{path}: {value} is not in {k}");
                    break;
                case "required":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonElement name in k.EnumerateArray())
                        {
                            if (!value.TryGetProperty(name.GetString()!, out _)) errors.Add($"{path}: missing required '{name.GetString()}'");
                        }
                    }
                    break;
                case "properties":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonProperty p in k.EnumerateObject())
                        {
                            if (value.TryGetProperty(p.Name, out JsonElement child)) Validate(p.Value, child, $"{path}.{p.Name}", errors);
                        }
                    }
                    break;
                case "additionalProperties":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        var declared = schema.TryGetProperty("properties", out JsonElement props)
                            ? props.EnumerateObject().Select(p => p.Name).ToHashSet() : [];
                        foreach (JsonProperty p in value.EnumerateObject().Where(p => !declared.Contains(p.Name)))
                        {
                            if (k.ValueKind == JsonValueKind.False) errors.Add($"{path}: unexpected property '{p.Name}'");
                            else if (k.ValueKind == JsonValueKind.Object) Validate(k, p.Value, $"{path}.{p.Name}", errors);
                        }
                    }
                    break;
                case "propertyNames":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonProperty p in value.EnumerateObject())
                        {
                            using JsonDocument name = JsonDocument.Parse(JsonSerializer.Serialize(p.Name));
                            Validate(k, name.RootElement, $"{path}[name {p.Name}]", errors);
                        }
                    }
                    break;
                case "items":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        int i = 0;
                        foreach (JsonElement item in value.EnumerateArray()) Validate(k, item, $"{path}[{i++}]", errors);
                    }
                    break;
                case "minimum":
                    if (value.ValueKind == JsonValueKind.Number && value.GetDecimal() < k.GetDecimal()) errors.Add($"{path}: {value} < minimum {k}");
                    break;
                case "maximum":
                    if (value.ValueKind == JsonValueKind.Number && value.GetDecimal() > k.GetDecimal()) errors.Add($"{path}: {value} > maximum {k}");
                    break;
                case "minLength":
                    if (value.ValueKind == JsonValueKind.String && value.GetString()!.Length < k.GetInt32()) errors.Add($"{path}: shorter than {k}");
                    break;
                case "maxLength":
                    if (value.ValueKind == JsonValueKind.String && value.GetString()!.Length > k.GetInt32()) errors.Add($"{path}: longer than {k}");
                    break;
                case "pattern":
                    if (value.ValueKind == JsonValueKind.String && !Regex.IsMatch(value.GetString()!, k.GetString()!)) errors.Add($"{path}: does not match {k}");
                    break;
                case "format":
                    if (k.GetString() != "date-time") throw new NotSupportedException($"format {k}");
                    if (value.ValueKind == JsonValueKind.String
                        && !DateTimeOffset.TryParseExact(value.GetString(), "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                        errors.Add($"{path}: not an RFC 3339 date-time");
                    break;
                default:
                    throw new NotSupportedException($"schema keyword '{keyword.Name}' is not handled by this validator");
            }
        }
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new NotSupportedException($"type {type}"),
    };
}
