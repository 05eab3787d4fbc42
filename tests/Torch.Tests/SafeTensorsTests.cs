using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch.IO;
using Xunit;
using static CrossVideoMAE.Torch.torch;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>safetensors files exchanged with PyTorch in both directions, and malformed files refused.</summary>
public class SafeTensorsTests
{
    [Fact]
    public void Our_file_loads_in_pytorch_and_follows_the_format_layout()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        using var g = new Generator(61);
        var tensors = new Dictionary<string, Tensor>
        {
            ["blocks.0.attn.qkv.weight"] = randn([6, 2], g),
            ["scalar"] = tensor(3.25, float64),
            ["ids"] = tensor(new long[] { -5, 0, long.MaxValue }),
            ["i32"] = tensor(new int[] { int.MinValue, 7 }),
            ["i16"] = tensor(new short[] { -300, 301 }),
            ["i8"] = tensor(new sbyte[] { -128, 127 }),
            ["u8"] = tensor(new byte[] { 0, 255, 17 }),
            ["flags"] = tensor(new bool[] { true, false, true }),
            ["half"] = randn([3], g).to(float16),
            ["bf16"] = randn([2, 2], g).to(bfloat16),
            ["empty"] = zeros([0, 3]),
        };
        string path = dir.File("ours.safetensors");
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "3" });

        // The reader below checks the layout rules itself, then hands the values back renamed.
        using TensorSet back = PyTorch.Run($$"""
            import struct
            raw = open({{JsonSerializer.Serialize(path)}}, "rb").read()
            (n,) = struct.unpack("<Q", raw[:8])
            text = raw[8:8 + n].decode("utf-8")
            assert n % 8 == 0 and text[0] == "{" and text.rstrip(" ").endswith("}"), "header: JSON padded with spaces to 8 bytes"
            header = json.loads(text)
            assert header.pop("__metadata__") == {"format": "pt", "epoch": "3"}, "metadata"
            sizes = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
            at = 0
            for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
                begin, end = e["data_offsets"]
                assert begin == at, f"{name} starts at {begin}, expected {at}"
                assert end - begin == math.prod(e["shape"]) * sizes[e["dtype"]], f"{name} byte count"
                at = end
            assert at == len(raw) - 8 - n, "data section fully covered"
            print(json.dumps({k: [e["dtype"], e["shape"]] for k, e in header.items()}))
            out.update({"py." + k: v for k, v in st.load({{JsonSerializer.Serialize(path)}}).items()})
            """, null, out string stdout);

        var layout = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(stdout.Trim())!;
        Assert.Equal("BF16", layout["bf16"][0].GetString());
        Assert.Equal("BOOL", layout["flags"][0].GetString());
        Assert.Equal(0, layout["scalar"][1].GetArrayLength());
        foreach (var (name, t) in tensors)
        {
            Tensor p = back["py." + name];
            Assert.Equal(t.dtype, p.dtype);
            Assert.Equal(t.shape, p.shape);
            if (t.dtype == ScalarType.Int64) Assert.Equal(t.ToArray<long>(), p.ToArray<long>());
            else Close.Exact(t, p, name);
        }
    }

    [Fact]
    public void A_file_written_by_pytorch_loads_with_known_values()
    {
        using var dir = new TempDir();
        string path = dir.File("theirs.safetensors");
        using TensorSet _ = PyTorch.Run($$"""
            st.save({"w": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4,
                     "b": torch.tensor([1.5, -2.0], dtype=torch.bfloat16),
                     "n": torch.tensor([[7], [-9]], dtype=torch.int64),
                     "m": torch.tensor([True, False]),
                     "e": torch.zeros(0, 4, dtype=torch.float64)}, {{JsonSerializer.Serialize(path)}})
            """);

        var (loaded, metadata) = SafeTensors.Load(path);
        using var owned = new TensorSet(loaded);
        Assert.Equal(new[] { "w", "b", "n", "m", "e" }, loaded.Keys);
        Assert.Empty(metadata);
        Assert.Equal(new float[] { 0, 0.25f, 0.5f, 0.75f, 1, 1.25f }, loaded["w"].ToArray<float>());
        Assert.Equal(new long[] { 2, 3 }, loaded["w"].shape);
        Assert.Equal(ScalarType.BFloat16, loaded["b"].dtype);
        Assert.Equal(new double[] { 1.5, -2.0 }, Close.Values(loaded["b"]));
        Assert.Equal(new long[] { 7, -9 }, loaded["n"].ToArray<long>());
        Assert.Equal(new long[] { 2, 1 }, loaded["n"].shape);
        Assert.Equal(new[] { true, false }, loaded["m"].ToArray<bool>());
        Assert.Equal(new long[] { 0, 4 }, loaded["e"].shape);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "shorter than the length field", "shorter than the 8-byte header length" },
        { "truncated data", "tensor 'a' ends at byte 16, past the data section (12 bytes)" },
        { "header length past the end", "runs past the end of the file" },
        { "header length over the limit", "exceeds the limit" },
        { "overlapping offsets", "overlap" },
        { "gap between tensors", "unused bytes before tensor 'b'" },
        { "trailing bytes", "data section holds 20 bytes but the tensors cover 16" },
        { "wrong byte count", "spans 16 bytes but shape [3] of Float32 needs 12" },
        { "bad JSON", "header is not valid JSON" },
        { "not a JSON object", "header does not start with '{'" },
        { "unknown dtype", "unsupported dtype 'F8_E5M2'" },
        { "negative dimension", "has a bad dimension" },
        { "duplicate name", "tensor 'a' appears twice" },
        { "offsets not a pair", "has no data_offsets pair" },
        { "offsets reversed", "has bad data_offsets" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_are_refused_naming_the_file_and_the_reason(string defect, string reason)
    {
        using var dir = new TempDir();
        string path = dir.File(defect.Replace(' ', '-') + ".safetensors");
        File.WriteAllBytes(path, MalformedFile(defect));
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(reason, e.Message);
    }

    private static byte[] MalformedFile(string defect)
    {
        const string a16 = "\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}";
        return defect switch
        {
            "shorter than the length field" => [1, 0, 0],
            "truncated data" => File_("{" + a16 + "}", 12),
            "header length past the end" => File_("{" + a16 + "}", 16, headerLength: 4000),
            "header length over the limit" => File_("{" + a16 + "}", 16, headerLength: 1UL << 40),
            "overlapping offsets" => File_("{" + a16 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16),
            "gap between tensors" => File_("{" + a16 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]}}", 24),
            "trailing bytes" => File_("{" + a16 + "}", 20),
            "wrong byte count" => File_("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16),
            "bad JSON" => File_("{\"a\":{\"dtype\":\"F32\",", 16),
            "not a JSON object" => File_("[1, 2]", 0),
            "unknown dtype" => File_("{\"a\":{\"dtype\":\"F8_E5M2\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4),
            "negative dimension" => File_("{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", 16),
            "duplicate name" => File_("{" + a16 + "," + a16.Replace("[0,16]", "[16,32]") + "}", 32),
            "offsets not a pair" => File_("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0]}}", 16),
            "offsets reversed" => File_("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,0]}}", 16),
            _ => throw new ArgumentException(defect),
        };
    }

    // An 8-byte little-endian header length, the header text, then dataBytes bytes.
    private static byte[] File_(string header, int dataBytes, ulong? headerLength = null)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        for (int i = 8 + h.Length; i < bytes.Length; i++) bytes[i] = (byte)i;
        return bytes;
    }

    [Fact]
    public void Save_refuses_a_repeated_name_and_leaves_no_file()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("dup.safetensors");
        var items = new[] { KeyValuePair.Create("x", ones(2)), KeyValuePair.Create("x", zeros(2)) };
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, items));
        Assert.Contains("'x' appears twice", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
