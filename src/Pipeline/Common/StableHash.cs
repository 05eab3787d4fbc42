using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CrossVideoMAE.Pipeline.Common;

/// <summary>Hashes that stay the same across processes, machines and .NET versions
/// (unlike string.GetHashCode), for partitioning and seeding.</summary>
public static class StableHash
{
    /// <summary>The first 8 bytes of SHA-256 over the UTF-8 parts joined by a 0 byte.</summary>
    public static ulong Of(params string[] parts)
    {
        byte[] data = Encoding.UTF8.GetBytes(string.Join('\0', parts));
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
