using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CrossVideoMAE.Pipeline.Config;

/// <summary>
/// Loads a YAML file into a settings class with snake_case keys. An unknown key, a value of
/// the wrong type or a malformed document is an error naming the file, line and column: a
/// typo in a config must never be silently ignored.
/// </summary>
public static class StrictYaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public static T Load<T>(string path) where T : new()
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config file not found: {path}", path);
        return Parse<T>(File.ReadAllText(path), path);
    }

    public static T Parse<T>(string yaml, string source) where T : new()
    {
        try
        {
            return Deserializer.Deserialize<T?>(yaml) ?? new T();
        }
        catch (YamlException e)
        {
            string reason = (e.InnerException?.Message ?? e.Message).Split('\n')[0];
            throw new InvalidDataException($"{source}:{e.Start.Line}:{e.Start.Column}: {reason}");
        }
    }

    public static string Serialize(object value) => Serializer.Serialize(value);
}
