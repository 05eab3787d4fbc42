using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch;

/// <summary>A CPU random generator (random tensors are drawn on the CPU, then moved, so a
/// seed gives the same values on every device). Its state can be saved and restored.</summary>
public sealed class Generator : IDisposable
{
    private IntPtr handle;

    public Generator(ulong seed) => handle = Check.Handle(LibTorch.cvm_generator_new(seed));
    private Generator(IntPtr h) => handle = Check.Handle(h);

    /// <summary>libtorch's default CPU generator (what torch.manual_seed seeds).</summary>
    public static Generator Default() => new(LibTorch.cvm_generator_default());

    internal IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Generator));

    public Generator manual_seed(ulong seed)
    {
        Check.Status(LibTorch.cvm_generator_seed(Handle, seed));
        return this;
    }

    /// <summary>The generator's full state as a byte tensor.</summary>
    public Tensor get_state() => new(LibTorch.cvm_generator_get_state(Handle));
    public void set_state(Tensor state) => Check.Status(LibTorch.cvm_generator_set_state(Handle, state.Handle));

    public void Dispose()
    {
        IntPtr h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) LibTorch.cvm_generator_free(h);
        GC.SuppressFinalize(this);
    }

    ~Generator() => Dispose();
}
