using System.Text.Json.Serialization;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>A finished shard as listed in index.json: its path relative to the index's folder
/// (see <see cref="ShardLocation"/>), the one split all its rows belong to, row count, size in
/// bytes and SHA-256 (lowercase hex).</summary>
public sealed record ShardInfo(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("split")] string Split);
