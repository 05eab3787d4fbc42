using System.Runtime.InteropServices;

namespace CrossVideoMAE.Stages.Jpeg;

/// <summary>P/Invoke declarations of the TurboJPEG 2.x API (Debian libturbojpeg0, /usr/include/turbojpeg.h).
/// <c>unsigned long</c> is <see cref="CULong"/>; every function returns 0 on success and -1 on error. Compression
/// writes into a caller-owned buffer of tjBufSize bytes (TJFLAG_NOREALLOC), so nothing needs tjFree.</summary>
internal static unsafe partial class TurboJpegNative
{
    private const string Lib = "libturbojpeg.so.0";

    public const int PixelFormatRgb = 0;      // TJPF_RGB
    public const int ErrorWarning = 0;        // TJERR_WARNING
    public const int FlagFastUpsample = 256;  // TJFLAG_FASTUPSAMPLE
    public const int FlagNoRealloc = 1024;    // TJFLAG_NOREALLOC
    public const int FlagFastDct = 2048;      // TJFLAG_FASTDCT
    public const int FlagStopOnWarning = 8192; // TJFLAG_STOPONWARNING

    [LibraryImport(Lib, EntryPoint = "tjInitCompress")]
    public static partial TurboJpegHandle InitCompress();

    [LibraryImport(Lib, EntryPoint = "tjInitDecompress")]
    public static partial TurboJpegHandle InitDecompress();

    [LibraryImport(Lib, EntryPoint = "tjDestroy")]
    public static partial int Destroy(IntPtr handle);

    [LibraryImport(Lib, EntryPoint = "tjBufSize")]
    public static partial CULong BufSize(int width, int height, int subsampling);

    [LibraryImport(Lib, EntryPoint = "tjCompress2")]
    public static partial int Compress2(TurboJpegHandle handle, byte* src, int width, int pitch, int height, int pixelFormat,
        byte** jpegBuf, CULong* jpegSize, int subsampling, int quality, int flags);

    [LibraryImport(Lib, EntryPoint = "tjDecompressHeader3")]
    public static partial int DecompressHeader3(TurboJpegHandle handle, byte* jpegBuf, CULong jpegSize,
        int* width, int* height, int* subsampling, int* colorspace);

    [LibraryImport(Lib, EntryPoint = "tjDecompress2")]
    public static partial int Decompress2(TurboJpegHandle handle, byte* jpegBuf, CULong jpegSize, byte* dst,
        int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Lib, EntryPoint = "tjGetErrorStr2")]
    public static partial IntPtr GetErrorStr2(TurboJpegHandle handle);

    [LibraryImport(Lib, EntryPoint = "tjGetErrorCode")]
    public static partial int GetErrorCode(TurboJpegHandle handle);

    /// <summary>The handle's last error message (TurboJPEG keeps it per handle).</summary>
    public static string LastError(TurboJpegHandle handle)
        => Marshal.PtrToStringUTF8(GetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}
