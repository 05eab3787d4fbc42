using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace CrossVideoMAE.Torch.IO;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian bytes. Files are untrusted:
/// every length, offset and shape is checked before anything is allocated.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100L << 20;

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
            long bytes = t.numel() * t.dtype.ElementSize();
            header[name] = new { dtype = Name(t.dtype), shape = t.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8;

        string tmp = path + ".tmp-" + Environment.ProcessId;
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
                fs.Write(c.numel() == 0 ? Span<byte>.Empty : RawBytes(c));
            }
            fs.Flush(true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    private static unsafe Span<byte> RawBytes(Tensor c)
    {
        void* p = Native.LibTorch.cvm_data_ptr(c.Handle);
        return new Span<byte>(p, checked((int)(c.numel() * c.dtype.ElementSize())));
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
        Fail(headerLen > (ulong)MaxHeaderBytes || (long)headerLen > fileLength - 8, path, $"header length {headerLen} is out of range");
        byte[] headerBytes = new byte[headerLen];
        fs.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLen;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: header is not valid JSON ({e.Message})"); }

        var entries = new List<(string name, ScalarType dtype, long[] shape, long begin, long end)>();
        var metadata = new Dictionary<string, string>();
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
                entries.Add(ParseEntry(path, prop));
            }
        }

        // Byte ranges must lie in the data section and must not overlap.
        foreach (var e in entries)
            Fail(e.end > dataLength, path, $"tensor '{e.name}' ends at byte {e.end}, past the data section ({dataLength} bytes)");
        var sorted = entries.OrderBy(e => e.begin).ToList();
        for (int i = 1; i < sorted.Count; i++)
            Fail(sorted[i].begin < sorted[i - 1].end, path, $"tensors '{sorted[i - 1].name}' and '{sorted[i].name}' overlap");

        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var e in sorted)
            {
                Tensor t = torch.empty(e.shape, e.dtype).DetachFromDisposeScope();
                tensors[e.name] = t;
                if (e.end == e.begin) continue;
                fs.Seek(dataStart + e.begin, SeekOrigin.Begin);
                fs.ReadExactly(RawBytes(t));
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
