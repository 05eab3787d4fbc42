using System.Buffers.Binary;
using System.Runtime.InteropServices;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.Pth;

/// <summary>Builds a CPU tensor from row-major little-endian element bytes.</summary>
internal static class TensorFromBytes
{
    /// <summary>A new tensor (owned by the caller, outside any dispose scope) of the given dtype and shape.</summary>
    public static Tensor Create(byte[] bytes, ScalarType dtype, long[] shape)
    {
        // torch.tensor copies a span of a managed element type; shape [] means a 0-d tensor, built as [1] then reshaped.
        long[] flat = [bytes.Length / dtype.ElementSize()];
        using var scope = torch.NewDisposeScope();
        Tensor t = dtype switch
        {
            ScalarType.Float32 => torch.tensor(MemoryMarshal.Cast<byte, float>(bytes), flat),
            ScalarType.Float64 => torch.tensor(MemoryMarshal.Cast<byte, double>(bytes), flat),
            ScalarType.Float16 => torch.tensor(MemoryMarshal.Cast<byte, Half>(bytes), flat),
            ScalarType.Int64 => torch.tensor(MemoryMarshal.Cast<byte, long>(bytes), flat),
            ScalarType.Int32 => torch.tensor(MemoryMarshal.Cast<byte, int>(bytes), flat),
            ScalarType.Int16 => torch.tensor(MemoryMarshal.Cast<byte, short>(bytes), flat),
            ScalarType.Int8 => torch.tensor(MemoryMarshal.Cast<byte, sbyte>(bytes), flat),
            ScalarType.Byte => torch.tensor((ReadOnlySpan<byte>)bytes, flat),
            ScalarType.Bool => torch.tensor(MemoryMarshal.Cast<byte, bool>(Booleans(bytes)), flat),
            ScalarType.BFloat16 => BFloat16(bytes, flat),
            _ => throw new InvalidDataException($"tensors of {dtype} are not supported"),
        };
        return scope.MoveToOuter(t.reshape(shape)).DetachFromDisposeScope();
    }

    // A bool byte other than 0 or 1 is not a valid C++ bool; torch reads any non-zero byte as true.
    private static byte[] Booleans(byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++) bytes[i] = bytes[i] == 0 ? (byte)0 : (byte)1;
        return bytes;
    }

    // bfloat16 is the top half of a float32, so widening is exact and converting back restores the bits.
    private static Tensor BFloat16(byte[] bytes, long[] flat)
    {
        var wide = new float[bytes.Length / 2];
        for (int i = 0; i < wide.Length; i++)
            wide[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)) << 16);
        using Tensor f = torch.tensor(wide, flat);
        return f.to(ScalarType.BFloat16);
    }

    /// <summary>Reverses the byte order of every element in place (for archives written big-endian).</summary>
    public static void SwapBytes(byte[] bytes, int elementSize)
    {
        if (elementSize == 1) return;
        for (int i = 0; i + elementSize <= bytes.Length; i += elementSize)
            bytes.AsSpan(i, elementSize).Reverse();
    }
}
