using System.Runtime.InteropServices;

namespace CrossVideoMAE.Stages.Jpeg;

/// <summary>
/// JPEG decode stage: JPEG to packed RGB24 through libjpeg-turbo. The header is read and its size
/// checked against <see cref="JpegDecoderOptions"/> before the pixel buffer is allocated, so a
/// hostile header cannot request gigabytes. One instance owns one TurboJPEG decompressor and must
/// be used by one thread at a time (concurrent use is detected and refused); dispose it.
/// </summary>
public sealed unsafe class JpegDecoder : IDisposable
{
    private readonly TurboJpegHandle _handle;
    private readonly JpegDecoderOptions _options;
    private int _busy;

    public JpegDecoder(JpegDecoderOptions? options = null)
    {
        _options = options ?? new JpegDecoderOptions();
        _handle = TurboJpegNative.InitDecompress();
        if (_handle.IsInvalid) throw new JpegException("tjInitDecompress failed: " + TurboJpegNative.LastError(_handle));
    }

    /// <summary>Reads and validates the header only.</summary>
    /// <exception cref="JpegException">Not a JPEG, or a size outside the limits.</exception>
    public JpegHeader ReadHeader(ReadOnlySpan<byte> jpeg)
    {
        Enter();
        try { return Header(jpeg); }
        finally { Exit(); }
    }

    /// <summary>Decodes to RGB24.</summary>
    /// <exception cref="JpegException">Corrupt or truncated data, or a size outside the limits.</exception>
    public RgbImage Decode(ReadOnlySpan<byte> jpeg)
    {
        JpegHeader h = ReadHeader(jpeg);
        var pixels = new byte[(long)h.Width * h.Height * 3];
        DecodeInto(jpeg, pixels, h.Width, h.Height);
        return new RgbImage(h.Width, h.Height, pixels);
    }

    /// <summary>Decodes straight into <paramref name="destination"/> (e.g. a tensor's storage), which must hold
    /// exactly <paramref name="width"/> x <paramref name="height"/> x 3 bytes and the JPEG must have that size.</summary>
    /// <exception cref="JpegException">Corrupt or truncated data, a size outside the limits, or another size than expected.</exception>
    public void DecodeInto(ReadOnlySpan<byte> jpeg, Span<byte> destination, int width, int height)
    {
        Enter();
        try
        {
            JpegHeader h = Header(jpeg);
            if (h.Width != width || h.Height != height)
                throw new JpegException($"JPEG is {h.Width}x{h.Height}, expected {width}x{height}");
            if (destination.Length != (long)width * height * 3)
                throw new ArgumentException($"destination holds {destination.Length} bytes, a {width}x{height} RGB image needs {(long)width * height * 3}");
            int flags = (_options.Strict ? TurboJpegNative.FlagStopOnWarning : 0)
                | (_options.FastDct ? TurboJpegNative.FlagFastDct : 0)
                | (_options.FastUpsample ? TurboJpegNative.FlagFastUpsample : 0);
            fixed (byte* src = jpeg)
            fixed (byte* dst = destination)
            {
                int rc = TurboJpegNative.Decompress2(_handle, src, new CULong((nuint)jpeg.Length), dst,
                    h.Width, h.Width * 3, h.Height, TurboJpegNative.PixelFormatRgb, flags);
                if (rc != 0)
                {
                    bool warning = TurboJpegNative.GetErrorCode(_handle) == TurboJpegNative.ErrorWarning;
                    if (!warning || _options.Strict)
                        throw new JpegException($"corrupt JPEG ({h.Width}x{h.Height}, {jpeg.Length} bytes): {TurboJpegNative.LastError(_handle)}");
                }
            }
        }
        finally
        {
            Exit();
        }
    }

    private JpegHeader Header(ReadOnlySpan<byte> jpeg)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
            throw new JpegException($"not a JPEG: {jpeg.Length} bytes without the FF D8 start-of-image marker");
        int width, height, subsampling, colorspace;
        fixed (byte* src = jpeg)
        {
            if (TurboJpegNative.DecompressHeader3(_handle, src, new CULong((nuint)jpeg.Length), &width, &height, &subsampling, &colorspace) != 0)
                throw new JpegException($"unreadable JPEG header ({jpeg.Length} bytes): {TurboJpegNative.LastError(_handle)}");
        }
        if (width < 1 || height < 1 || width > _options.MaxDimension || height > _options.MaxDimension || (long)width * height > _options.MaxPixels)
            throw new JpegException($"JPEG size {width}x{height} is outside the accepted limits (sides 1..{_options.MaxDimension}, at most {_options.MaxPixels} pixels)");
        var kind = Enum.IsDefined((JpegSubsampling)subsampling) ? (JpegSubsampling)subsampling : JpegSubsampling.Unknown;
        return new JpegHeader(width, height, kind);
    }

    private void Enter()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new InvalidOperationException("a JpegDecoder is being used by two threads at once; use one instance per thread");
    }

    private void Exit() => Volatile.Write(ref _busy, 0);

    public void Dispose() => _handle.Dispose();
}
