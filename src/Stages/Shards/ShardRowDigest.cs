using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CrossVideoMAE.Stages.Shards;

/// <summary>
/// SHA-256 over the content of a row group's rows, in a fixed encoding independent of Parquet
/// (every field in <see cref="ShardRow"/> order; integers and the IEEE bits of fps little-endian;
/// strings as UTF-8 and lists and byte strings with a 32-bit length in front). The writer
/// stores one per row group in the footer; a reader without a manifest hash checks it, so a
/// damaged file that still decodes cannot return rows other than those written.
/// </summary>
public sealed class ShardRowDigest : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _scratch = new byte[8];

    /// <summary>Lowercase hex SHA-256 of <paramref name="rows"/>.</summary>
    public static string Of(IEnumerable<ShardRow> rows)
    {
        using var digest = new ShardRowDigest();
        foreach (ShardRow row in rows) digest.Append(row);
        return digest.HexAndReset();
    }

    public void Append(ShardRow row)
    {
        Text(row.VideoId);
        Int(row.ClipIndex);
        Int(row.Label);
        Text(row.LabelName);
        Text(row.Split);
        Text(row.SourcePath);
        BinaryPrimitives.WriteInt64LittleEndian(_scratch, BitConverter.DoubleToInt64Bits(row.Fps));
        _hash.AppendData(_scratch, 0, 8);
        Int(row.Width);
        Int(row.Height);
        Int(row.NumVideoFrames);
        Int(row.ClipStart);
        Int(row.Stride);
        Ints(row.FrameIndices);
        Int(row.Padded ? 1 : 0);
        Blobs(row.Frames);
        Ints(row.SampledFrameIndices);
        Ints(row.SampledPositions);
        Blobs(row.SampledFrames);
    }

    public string HexAndReset() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();

    private void Int(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_scratch, value);
        _hash.AppendData(_scratch, 0, 4);
    }

    private void Text(string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        Int(utf8.Length);
        _hash.AppendData(utf8);
    }

    private void Ints(IReadOnlyList<int> values)
    {
        Int(values.Count);
        foreach (int v in values) Int(v);
    }

    private void Blobs(IReadOnlyList<byte[]> values)
    {
        Int(values.Count);
        foreach (byte[] v in values)
        {
            Int(v.Length);
            _hash.AppendData(v);
        }
    }
}
