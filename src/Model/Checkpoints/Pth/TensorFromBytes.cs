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
    public static void SwapBytes(Span<byte> bytes, int elementSize)
    {
        if (elementSize == 1) return;
        for (int i = 0; i + elementSize <= bytes.Length; i += elementSize)
            bytes.Slice(i, elementSize).Reverse();
    }

    /// <summary>A storage that is one whole row-major tensor is read straight into the tensor's memory
    /// (one copy instead of two). Not for bfloat16, which has no managed element type.</summary>
    public static bool TryReadWhole(PthArchive archive, TensorRef v, out Tensor? tensor)
    {
        tensor = null;
        StorageRef s = v.Storage;
        if (s.DType == ScalarType.BFloat16 || v.Offset != 0 || v.Numel != s.Numel || v.Numel == 0 || !StridedView.IsRowMajor(v.Size, v.Stride))
            return false;
        using var scope = torch.NewDisposeScope();
        Tensor t = torch.empty(v.Size, s.DType);
        Span<byte> bytes = s.DType switch
        {
            ScalarType.Float32 => MemoryMarshal.AsBytes(t.data<float>()),
            ScalarType.Float64 => MemoryMarshal.AsBytes(t.data<double>()),
            ScalarType.Float16 => MemoryMarshal.AsBytes(t.data<Half>()),
            ScalarType.Int64 => MemoryMarshal.AsBytes(t.data<long>()),
            ScalarType.Int32 => MemoryMarshal.AsBytes(t.data<int>()),
            ScalarType.Int16 => MemoryMarshal.AsBytes(t.data<short>()),
            ScalarType.Int8 => MemoryMarshal.AsBytes(t.data<sbyte>()),
            ScalarType.Byte => t.data<byte>(),
            ScalarType.Bool => MemoryMarshal.AsBytes(t.data<bool>()),
            _ => throw new InvalidDataException($"tensors of {s.DType} are not supported"),
        };
        archive.ReadStorageInto(s, bytes);
        if (s.DType == ScalarType.Bool)
            for (int i = 0; i < bytes.Length; i++) bytes[i] = bytes[i] == 0 ? (byte)0 : (byte)1;
        tensor = scope.MoveToOuter(t).DetachFromDisposeScope();
        return true;
    }
}
