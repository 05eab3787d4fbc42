using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace CrossVideoMAE.Torch.IO;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian bytes. Files are untrusted:
/// every length, offset and shape is checked before anything is allocated, with the rules of
/// the reference implementation: the tensors' byte ranges tile the data section exactly, in
/// order of offset, from 0 to its end.
/// </summary>
public static class SafeTensors
{
    // The reference implementation's limit on the JSON header.
    private const long MaxHeaderBytes = 100_000_000;

    // Tensor bytes move through spans of at most this many bytes (a span's length is an int).
    private const int ChunkBytes = 1 << 30;

    private static readonly Dictionary<string, ScalarType> DTypes = new()
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16, ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32,
        ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8, ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    private static string Name(ScalarType t) =>
        DTypes.FirstOrDefault(kv => kv.Value == t).Key ?? throw new NotSupportedException($"safetensors has no dtype for {t}");

    /// <summary>Writes the tensors (CPU copies are made as needed) atomically: a temporary file renamed into place.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var items = tensors.ToList();
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, t) in items)
        {
            if (name == "__metadata__") throw new ArgumentException($"{path}: '__metadata__' cannot name a tensor");
            if (header.ContainsKey(name)) throw new ArgumentException($"{path}: tensor name '{name}' appears twice");
            long bytes = t.numel() * t.dtype.ElementSize();
            header[name] = new { dtype = Name(t.dtype), shape = t.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8;

        string tmp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
                fs.Write(len);
                fs.Write(json);
                for (int i = json.Length; i < padded; i++) fs.WriteByte((byte)' ');
                foreach (var (_, t) in items)
                {
                    using Tensor c = t.detach().cpu().contiguous();
                    ForEachChunk(c, chunk => fs.Write(chunk));
                }
                fs.Flush(true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    private delegate void ChunkAction(Span<byte> chunk);

    // Visits the storage of a contiguous CPU tensor in spans of at most ChunkBytes.
    private static unsafe void ForEachChunk(Tensor c, ChunkAction action)
    {
        long total = c.numel() * c.dtype.ElementSize();
        if (total == 0) return;
        byte* p = (byte*)Native.LibTorch.cvm_data_ptr(c.Handle);
        if (p == null) throw new TorchException(Native.Check.TakeError() ?? "tensor has no storage");
        for (long at = 0; at < total; at += ChunkBytes)
            action(new Span<byte>(p + at, (int)Math.Min(ChunkBytes, total - at)));
    }

    /// <summary>Reads every tensor (CPU) and the metadata; throws <see cref="InvalidDataException"/> naming the file on any defect.</summary>
    public static (Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) Load(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        long fileLength = fs.Length;
        Fail(fileLength < 8, path, "file is shorter than the 8-byte header length");
        Span<byte> len = stackalloc byte[8];
        fs.ReadExactly(len);
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(len);
        Fail(headerLen > (ulong)MaxHeaderBytes, path, $"header length {headerLen} exceeds the limit of {MaxHeaderBytes} bytes");
        Fail((long)headerLen > fileLength - 8, path, $"header length {headerLen} runs past the end of the file ({fileLength} bytes)");
        byte[] headerBytes = new byte[headerLen];
        fs.ReadExactly(headerBytes);
        Fail(headerLen == 0 || headerBytes[0] != (byte)'{', path, "header does not start with '{'");
        long dataStart = 8 + (long)headerLen;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes); }
        catch (Exception e) when (e is JsonException or ArgumentException)
        { throw new InvalidDataException($"{path}: not a valid safetensors file: header is not valid JSON ({e.Message})"); }

        var entries = new List<(string name, ScalarType dtype, long[] shape, long begin, long end)>();
        var metadata = new Dictionary<string, string>();
        var names = new HashSet<string>();
        using (doc)
        {
            Fail(doc.RootElement.ValueKind != JsonValueKind.Object, path, "header is not a JSON object");
            foreach (JsonProperty prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    Fail(prop.Value.ValueKind != JsonValueKind.Object, path, "__metadata__ is not an object");
                    foreach (JsonProperty m in prop.Value.EnumerateObject())
                    {
                        Fail(m.Value.ValueKind != JsonValueKind.String, path, $"metadata '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                Fail(!names.Add(prop.Name), path, $"tensor '{prop.Name}' appears twice in the header");
                entries.Add(ParseEntry(path, prop));
            }
        }

        // In order of offset, the byte ranges must tile the data section: no overlap, no gap, nothing after.
        var sorted = entries.OrderBy(e => e.begin).ThenBy(e => e.end).ToList();
        long expected = 0;
        string previous = "";
        foreach (var e in sorted)
        {
            Fail(e.begin < expected, path, $"tensors '{previous}' and '{e.name}' overlap (bytes {e.begin}..{e.end}, previous ends at {expected})");
            Fail(e.begin > expected, path, $"{e.begin - expected} unused bytes before tensor '{e.name}'");
            Fail(e.end > dataLength, path, $"tensor '{e.name}' ends at byte {e.end}, past the data section ({dataLength} bytes)");
            expected = e.end;
            previous = e.name;
        }
        Fail(expected != dataLength, path, $"data section holds {dataLength} bytes but the tensors cover {expected}");

        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var e in sorted)
            {
                Tensor t = torch.empty(e.shape, e.dtype).DetachFromDisposeScope();
                tensors[e.name] = t;
                fs.Seek(dataStart + e.begin, SeekOrigin.Begin);
                ForEachChunk(t, chunk => fs.ReadExactly(chunk));
            }
        }
        catch
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
            throw;
        }
        // Keep the header's order.
        var ordered = new Dictionary<string, Tensor>();
        foreach (var e in entries) ordered[e.name] = tensors[e.name];
        return (ordered, metadata);
    }

    private static (string, ScalarType, long[], long, long) ParseEntry(string path, JsonProperty prop)
    {
        string name = prop.Name;
        JsonElement v = prop.Value;
        Fail(v.ValueKind != JsonValueKind.Object, path, $"entry '{name}' is not an object");
        Fail(!v.TryGetProperty("dtype", out JsonElement dt) || dt.ValueKind != JsonValueKind.String, path, $"entry '{name}' has no dtype");
        Fail(!DTypes.TryGetValue(dt.GetString()!, out ScalarType dtype), path, $"entry '{name}' has unsupported dtype '{dt.GetString()}'");
        Fail(!v.TryGetProperty("shape", out JsonElement sh) || sh.ValueKind != JsonValueKind.Array, path, $"entry '{name}' has no shape");
        var shape = new List<long>();
        long numel = 1;
        foreach (JsonElement d in sh.EnumerateArray())
        {
            Fail(d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long x) || x < 0, path, $"entry '{name}' has a bad dimension");
            long dim = d.GetInt64();
            Fail(dim > 0 && numel > long.MaxValue / 16 / dim, path, $"entry '{name}' is too large");
            numel *= dim;
            shape.Add(dim);
        }
        Fail(shape.Count > 16, path, $"entry '{name}' has too many dimensions");
        Fail(!v.TryGetProperty("data_offsets", out JsonElement off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2,
            path, $"entry '{name}' has no data_offsets pair");
        long begin = -1, end = -1;
        bool offsetsOk = off[0].ValueKind == JsonValueKind.Number && off[1].ValueKind == JsonValueKind.Number
            && off[0].TryGetInt64(out begin) && off[1].TryGetInt64(out end);
        Fail(!offsetsOk || begin < 0 || end < begin, path, $"entry '{name}' has bad data_offsets");
        Fail(end - begin != numel * dtype.ElementSize(), path,
            $"entry '{name}' spans {end - begin} bytes but shape [{string.Join(", ", shape)}] of {dtype} needs {numel * dtype.ElementSize()}");
        return (name, dtype, shape.ToArray(), begin, end);
    }

    private static void Fail(bool condition, string path, string reason)
    {
        if (condition) throw new InvalidDataException($"{path}: not a valid safetensors file: {reason}");
    }
}
