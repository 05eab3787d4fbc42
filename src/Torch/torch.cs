using System.Runtime.InteropServices;
using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch;

/// <summary>
/// Entry point shaped like TorchSharp's <c>torch</c>: tensor creation, joining, random seeds,
/// grad mode and runtime facts. Use with <c>using static CrossVideoMAE.Torch.torch;</c>.
/// </summary>
public static unsafe partial class torch
{
    public static readonly ScalarType float32 = ScalarType.Float32;
    public static readonly ScalarType float64 = ScalarType.Float64;
    public static readonly ScalarType bfloat16 = ScalarType.BFloat16;
    public static readonly ScalarType float16 = ScalarType.Float16;
    public static readonly ScalarType int64 = ScalarType.Int64;
    public static readonly ScalarType int32 = ScalarType.Int32;
    public static readonly ScalarType uint8 = ScalarType.Byte;
    public static readonly ScalarType @bool = ScalarType.Bool;

    // libtorch here starts with one intra-op thread; default to the core count instead
    // (CVMAE_THREADS overrides it). Freed tensor memory stays in the process for the next step
    // (native/src/memory.cpp says why) in at most two malloc arenas; CVMAE_MALLOC_RETAIN=0 keeps glibc's defaults.
    static torch()
    {
        string? env = Environment.GetEnvironmentVariable("CVMAE_THREADS");
        int n = int.TryParse(env, out int v) && v > 0 ? v : Environment.ProcessorCount;
        LibTorch.cvm_set_num_threads(n);
        if (Environment.GetEnvironmentVariable("CVMAE_MALLOC_RETAIN") != "0")
            LibTorch.cvm_malloc_retain_freed(MallocMmapThreshold, MallocTrimThreshold, MallocArenaMax);
    }

    // Blocks up to 32 MiB (glibc's ceiling) come from the heap; up to 512 MiB of free heap is kept.
    private const int MallocMmapThreshold = 32 << 20;
    private const int MallocTrimThreshold = 512 << 20;
    // At most two malloc arenas, each keeping its own free memory (MALLOC_ARENA_MAX overrides).
    private const int MallocArenaMax = 2;

    private static Tensor Make(delegate*<long*, int, sbyte, int, int, bool, IntPtr> f, long[] shape, ScalarType dtype, Device? device, bool requires_grad)
    {
        Device d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.Wrap(f(p, shape.Length, (sbyte)dtype, (int)d.Type, d.Index, requires_grad));
    }

    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Make(&LibTorch.cvm_zeros, shape, dtype, device, requires_grad);
    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Make(&LibTorch.cvm_ones, shape, dtype, device, requires_grad);
    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        Make(&LibTorch.cvm_empty, shape, dtype, device, requires_grad);
    public static Tensor zeros(params long[] shape) => zeros(shape, ScalarType.Float32);
    public static Tensor ones(params long[] shape) => ones(shape, ScalarType.Float32);
    public static Tensor zeros_like(Tensor t) => zeros(t.shape, t.dtype, t.device);
    public static Tensor ones_like(Tensor t) => ones(t.shape, t.dtype, t.device);

    public static Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        Device d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.Wrap(LibTorch.cvm_full(p, shape.Length, value, (sbyte)dtype, (int)d.Type, d.Index, requires_grad));
    }

    public static Tensor rand(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        Device d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.Wrap(LibTorch.cvm_rand(p, shape.Length, generator?.Handle ?? IntPtr.Zero, (sbyte)dtype, (int)d.Type, d.Index, requires_grad));
    }

    public static Tensor randn(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        Device d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.Wrap(LibTorch.cvm_randn(p, shape.Length, generator?.Handle ?? IntPtr.Zero, (sbyte)dtype, (int)d.Type, d.Index, requires_grad));
    }

    public static Tensor rand(params long[] shape) => rand(shape, null);
    public static Tensor randn(params long[] shape) => randn(shape, null);

    /// <summary>Integers uniform in [low, high).</summary>
    public static Tensor randint(long low, long high, long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        Device d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.Wrap(LibTorch.cvm_randint(low, high, p, shape.Length, generator?.Handle ?? IntPtr.Zero, (sbyte)dtype, (int)d.Type, d.Index));
    }

    public static Tensor randperm(long n, Generator? generator = null, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        Device d = device ?? Device.CPU;
        return Tensor.Wrap(LibTorch.cvm_randperm(n, generator?.Handle ?? IntPtr.Zero, (sbyte)dtype, (int)d.Type, d.Index));
    }

    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        Device d = device ?? Device.CPU;
        return Tensor.Wrap(LibTorch.cvm_arange(start, end, step, (sbyte)dtype, (int)d.Type, d.Index, false));
    }
    public static Tensor arange(long end, ScalarType dtype = ScalarType.Int64, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        Device d = device ?? Device.CPU;
        return Tensor.Wrap(LibTorch.cvm_linspace(start, end, steps, (sbyte)dtype, (int)d.Type, d.Index));
    }

    /// <summary>Copies the values into a new CPU tensor of the given shape (one copy, straight into the tensor's storage).</summary>
    public static Tensor tensor<T>(ReadOnlySpan<T> values, params long[] shape) where T : unmanaged
    {
        if (shape.Length == 0) shape = [values.Length];
        fixed (T* v = values) fixed (long* s = shape)
            return Tensor.Wrap(LibTorch.cvm_from_bytes(v, (long)values.Length * sizeof(T), s, shape.Length, (sbyte)ScalarTypeExtensions.Of<T>()));
    }
    public static Tensor tensor<T>(T[] values, params long[] shape) where T : unmanaged => tensor((ReadOnlySpan<T>)values, shape);
    public static Tensor tensor(double value, ScalarType dtype = ScalarType.Float32) => full([], value, dtype);

    /// <summary>Wraps a managed array without copying: the array is pinned until the tensor's storage is freed.</summary>
    public static Tensor from_array<T>(T[] values, params long[] shape) where T : unmanaged
    {
        if (shape.Length == 0) shape = [values.Length];
        long n = 1;
        foreach (long s in shape) n *= s;
        if (n != values.Length) throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {n} values, the array {values.Length}");
        GCHandle pin = GCHandle.Alloc(values, GCHandleType.Pinned);
        try
        {
            fixed (long* s = shape)
                return Tensor.Wrap(LibTorch.cvm_from_blob((void*)pin.AddrOfPinnedObject(), s, shape.Length, (sbyte)ScalarTypeExtensions.Of<T>(), &Unpin, GCHandle.ToIntPtr(pin)));
        }
        catch
        {
            pin.Free();
            throw;
        }
    }

    [UnmanagedCallersOnly]
    private static void Unpin(IntPtr ctx) => GCHandle.FromIntPtr(ctx).Free();

    private static Tensor Join(delegate*<IntPtr*, int, long, IntPtr> f, IReadOnlyList<Tensor> tensors, long dim)
    {
        var h = new IntPtr[tensors.Count];
        for (int i = 0; i < h.Length; i++) h[i] = tensors[i].Handle;
        fixed (IntPtr* p = h) return Tensor.Wrap(f(p, h.Length, dim));
    }

    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(&LibTorch.cvm_cat, tensors, dim);
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(&LibTorch.cvm_stack, tensors, dim);
    public static Tensor where(Tensor condition, Tensor a, Tensor b) => Tensor.Wrap(LibTorch.cvm_where(condition.Handle, a.Handle, b.Handle));
    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);

    public static Tensor einsum(string equation, params Tensor[] tensors)
    {
        byte[] eq = System.Text.Encoding.UTF8.GetBytes(equation + "\0");
        var h = tensors.Select(t => t.Handle).ToArray();
        fixed (byte* e = eq) fixed (IntPtr* p = h) return Tensor.Wrap(LibTorch.cvm_einsum(e, p, h.Length));
    }

    /// <summary>Opens a scope that disposes every tensor created in it on this thread.</summary>
    public static DisposeScope NewDisposeScope() => new();

    public static void manual_seed(ulong seed) => LibTorch.cvm_manual_seed(seed);

    // ---- runtime ----
    public static string __version__ => Check.Utf8(LibTorch.cvm_torch_version());

    /// <summary>libtorch's build configuration (at::show_config()).</summary>
    public static string show_config() => Check.Utf8(LibTorch.cvm_show_config());

    public static void set_num_threads(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "thread count must be at least 1");
        LibTorch.cvm_set_num_threads(n);
    }
    public static int get_num_threads() => LibTorch.cvm_get_num_threads();

    /// <summary>Hands the free memory inside the C heap back to the system (glibc malloc_trim); long
    /// runs call it now and then, since freed tensor memory is otherwise kept (see the static
    /// constructor). True where memory was released.</summary>
    public static bool release_free_memory() => LibTorch.cvm_malloc_trim() == 1;

    public static class cuda
    {
        public static bool is_available() => LibTorch.cvm_cuda_is_available();
        public static int device_count() => LibTorch.cvm_cuda_device_count();
        /// <summary>True when the shim was built against a CUDA libtorch.</summary>
        public static bool built_with_cuda() => LibTorch.cvm_built_with_cuda();
        public static string get_device_name(int index = 0) => Check.Utf8(Check.Handle(LibTorch.cvm_cuda_device_name(index)));
        public static void synchronize(int index = 0) => Check.Status(LibTorch.cvm_cuda_synchronize(index));

        /// <summary>(allocated, peak) bytes of the caching allocator on the device.</summary>
        public static (long allocated, long peak) memory(int index = 0, bool resetPeak = false)
        {
            long a, p;
            Check.Status(LibTorch.cvm_cuda_memory(index, &a, &p, resetPeak ? 1 : 0));
            return (a, p);
        }
    }
}
