using System.Runtime.InteropServices;

namespace CrossVideoMAE.Stages.Jpeg;

/// <summary>A TurboJPEG compressor or decompressor instance, destroyed with tjDestroy when disposed.</summary>
internal sealed class TurboJpegHandle : SafeHandle
{
    public TurboJpegHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => TurboJpegNative.Destroy(handle) == 0;
}
