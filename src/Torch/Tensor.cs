using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch;

/// <summary>
/// A libtorch tensor. Owns one native handle; <see cref="Dispose"/> frees it at once (the
/// finalizer is only a safety net). Tensors created inside a <see cref="DisposeScope"/> are
/// freed with the scope.
/// </summary>
public partial class Tensor : IDisposable
{
    private IntPtr handle;
    private static long liveCount;

    internal DisposeScope? Scope;

    internal Tensor(IntPtr handle)
    {
        this.handle = Check.Handle(handle);
        Interlocked.Increment(ref liveCount);
        DisposeScope.Current?.Register(this);
    }

    /// <summary>Tensors of this process whose native handle is not yet freed (disposed or finalised):
    /// a leak check for code that must dispose deterministically.</summary>
    public static long LiveCount => Interlocked.Read(ref liveCount);

    ~Tensor() => Free();

    /// <summary>The native handle; throws if the tensor was disposed.</summary>
    public IntPtr Handle
    {
        get
        {
            IntPtr h = handle;
            if (h == IntPtr.Zero) throw new ObjectDisposedException(nameof(Tensor), "tensor was disposed");
            return h;
        }
    }

    public bool IsDisposed => handle == IntPtr.Zero;

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        IntPtr h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h == IntPtr.Zero) return;
        LibTorch.cvm_tensor_free(h);
        Interlocked.Decrement(ref liveCount);
    }

    /// <summary>Replaces the native handle (used to move parameters between devices in place).</summary>
    internal void SwapHandle(IntPtr newHandle)
    {
        IntPtr old = Interlocked.Exchange(ref handle, Check.Handle(newHandle));
        if (old != IntPtr.Zero) LibTorch.cvm_tensor_free(old);
    }

    /// <summary>Removes this tensor from its dispose scope: the caller now owns it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope = null;
        return this;
    }

    /// <summary>Hands this tensor to the scope enclosing its current one.</summary>
    public Tensor MoveToOuterDisposeScope() => Scope is null ? this : Scope.MoveToOuter(this);

    // ---- properties ----
    public int dim() => LibTorch.cvm_ndim(Handle);
    public int ndim => dim();
    public long numel() => LibTorch.cvm_numel(Handle);
    public ScalarType dtype => (ScalarType)LibTorch.cvm_dtype(Handle);
    public Device device
    {
        get
        {
            IntPtr h = Handle;
            return new Device((DeviceType)LibTorch.cvm_device_type(h), LibTorch.cvm_device_index(h));
        }
    }
    public bool is_cuda => LibTorch.cvm_device_type(Handle) == 1;
    public bool is_contiguous() => LibTorch.cvm_is_contiguous(Handle);
    public bool is_leaf => LibTorch.cvm_is_leaf(Handle);

    public unsafe long[] shape
    {
        get
        {
            IntPtr h = Handle;
            var s = new long[LibTorch.cvm_ndim(h)];
            fixed (long* p = s) LibTorch.cvm_shape(h, p);
            return s;
        }
    }

    public long size(int dim)
    {
        long[] s = shape;
        return s[dim < 0 ? dim + s.Length : dim];
    }

    public unsafe long[] stride()
    {
        IntPtr h = Handle;
        var s = new long[LibTorch.cvm_ndim(h)];
        fixed (long* p = s) LibTorch.cvm_strides(h, p);
        return s;
    }

    public bool requires_grad
    {
        get => LibTorch.cvm_requires_grad(Handle);
        set => Check.Status(LibTorch.cvm_set_requires_grad(Handle, value));
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    /// <summary>The accumulated gradient, or null. Each read returns a new handle to it.</summary>
    public Tensor? grad
    {
        get
        {
            IntPtr g = LibTorch.cvm_grad(Handle);
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set => Check.Status(LibTorch.cvm_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
    }

    // ---- copies and conversions ----
    public Tensor clone() => new(LibTorch.cvm_clone(Handle));
    public Tensor detach() => new(LibTorch.cvm_detach(Handle));
    public Tensor contiguous() => new(LibTorch.cvm_contiguous(Handle));

    /// <summary>A second handle to the same tensor (shares storage and autograd history).</summary>
    public Tensor alias() => new(LibTorch.cvm_alias(Handle));

    public Tensor to(ScalarType type, bool copy = false) => to(device, type, copy);
    public Tensor to(Device dev, bool copy = false) => to(dev, dtype, copy);
    public Tensor to(Device dev, ScalarType type, bool copy = false, bool nonBlocking = false) =>
        new(LibTorch.cvm_to(Handle, (sbyte)type, (int)dev.Type, dev.Index, nonBlocking, copy));
    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda(int index = 0) => to(Device.CUDA(index));
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @bool() => to(ScalarType.Bool);

    public unsafe double item()
    {
        double v;
        Check.Status(LibTorch.cvm_item_double(Handle, &v));
        return v;
    }

    public unsafe long item_long()
    {
        long v;
        Check.Status(LibTorch.cvm_item_long(Handle, &v));
        return v;
    }

    /// <summary>Copies the values (any device, any layout) into a new managed array.</summary>
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        CheckElementType<T>();
        var result = new T[numel()];
        fixed (T* p = result)
            Check.Status(LibTorch.cvm_copy_to_bytes(Handle, p, (long)result.Length * sizeof(T)));
        return result;
    }

    /// <summary>Copies the values into <paramref name="destination"/>, which must hold numel() items.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        CheckElementType<T>();
        fixed (T* p = destination)
            Check.Status(LibTorch.cvm_copy_to_bytes(Handle, p, (long)destination.Length * sizeof(T)));
    }

    /// <summary>A view of the storage of a contiguous CPU tensor, without copying. Valid while the tensor lives.</summary>
    public unsafe Span<T> data<T>() where T : unmanaged
    {
        CheckElementType<T>();
        if (device.Type != DeviceType.CPU) throw new InvalidOperationException("data<T>() needs a CPU tensor; call cpu() first");
        if (!is_contiguous()) throw new InvalidOperationException("data<T>() needs a contiguous tensor; call contiguous() first");
        long n = numel();
        if (n == 0) return Span<T>.Empty;       // an empty tensor may have no storage at all
        void* p = LibTorch.cvm_data_ptr(Handle);
        if (p == null) Check.Handle(IntPtr.Zero);
        return new Span<T>(p, checked((int)n));
    }

    /// <summary>The address of the first element (storage offset applied), in CPU or device memory;
    /// zero for a tensor without storage. Valid while the tensor lives: keep it alive
    /// (<see cref="GC.KeepAlive"/>) until native code that reads the address has returned.</summary>
    public unsafe IntPtr data_ptr()
    {
        if (numel() == 0) return IntPtr.Zero;
        void* p = LibTorch.cvm_data_ptr(Handle);
        if (p == null) Check.Handle(IntPtr.Zero);
        return (IntPtr)p;
    }

    private void CheckElementType<T>() where T : unmanaged
    {
        ScalarType want = ScalarTypeExtensions.Of<T>();
        if (dtype != want) throw new InvalidOperationException($"tensor holds {dtype}, not {want} ({typeof(T).Name})");
    }

    // ---- in-place writes ----
    public Tensor copy_(Tensor src) { Check.Status(LibTorch.cvm_copy_(Handle, src.Handle)); return this; }
    public Tensor fill_(double v) { Check.Status(LibTorch.cvm_fill_(Handle, v)); return this; }
    public Tensor zero_() { Check.Status(LibTorch.cvm_zero_(Handle)); return this; }
    public Tensor uniform_(double from = 0, double to = 1, Generator? generator = null)
    { Check.Status(LibTorch.cvm_uniform_(Handle, from, to, generator?.Handle ?? IntPtr.Zero)); return this; }
    public Tensor normal_(double mean = 0, double std = 1, Generator? generator = null)
    { Check.Status(LibTorch.cvm_normal_(Handle, mean, std, generator?.Handle ?? IntPtr.Zero)); return this; }
    /// <summary>Normal(mean, std) truncated to [lo, hi] (absolute bounds), drawn as
    /// torch.nn.init.trunc_normal_ draws it; the timm/MAE initialisation is trunc_normal_(0.02).</summary>
    public Tensor trunc_normal_(double std = 0.02, double lo = -2, double hi = 2, Generator? generator = null, double mean = 0)
    { Check.Status(LibTorch.cvm_trunc_normal_(Handle, mean, std, lo, hi, generator?.Handle ?? IntPtr.Zero)); return this; }

    // ---- autograd ----
    public void backward(Tensor? gradient = null, bool retain_graph = false, bool create_graph = false) =>
        Check.Status(LibTorch.cvm_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retain_graph, create_graph));

    public override string ToString()
    {
        if (IsDisposed) return "Tensor(disposed)";
        return $"Tensor[{string.Join(", ", shape)}] {dtype} {device}";
    }

    /// <summary>The values as libtorch prints them.</summary>
    public string ToValuesString() => Check.Utf8(Check.Handle(LibTorch.cvm_to_string(Handle)));

    // Builds a tensor from a native call that returns a handle.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Wrap(IntPtr h) => new(h);
}
