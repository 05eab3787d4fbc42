using System.Runtime.InteropServices;

namespace CrossVideoMAE.Torch.Native;

/// <summary>Turns the shim's error channel (null handle or status 1 plus a thread-local
/// message) into <see cref="TorchException"/>.</summary>
internal static class Check
{
    internal static IntPtr Handle(IntPtr handle)
    {
        if (handle == IntPtr.Zero) Throw();
        return handle;
    }

    internal static void Status(int status)
    {
        if (status != 0) Throw();
    }

    internal static string? TakeError()
    {
        IntPtr msg = LibTorch.cvm_last_error();
        return msg == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(msg);
    }

    private static void Throw() =>
        throw new TorchException(TakeError() ?? "libtorch call failed without a message");

    internal static string Utf8(IntPtr p) => p == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(p) ?? "";
}
