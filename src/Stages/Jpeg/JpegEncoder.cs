using System.Buffers;
using System.Runtime.InteropServices;

namespace CrossVideoMAE.Stages.Jpeg;

/// <summary>
/// JPEG encode stage: packed RGB24 to JPEG through libjpeg-turbo. One instance owns one TurboJPEG
/// compressor and must be used by one thread at a time (concurrent use is detected and refused);
/// create one per worker or per call, and dispose it.
/// </summary>
public sealed unsafe class JpegEncoder : IDisposable
{
    private readonly TurboJpegHandle _handle;
    private int _busy;

    public int Quality { get; }
    public JpegSubsampling Subsampling { get; }

    public JpegEncoder(int quality = 90, JpegSubsampling subsampling = JpegSubsampling.Chroma420)
    {
        if (quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(quality), $"quality must be 1..100, got {quality}");
        if (!Enum.IsDefined(subsampling) || subsampling == JpegSubsampling.Unknown) throw new ArgumentOutOfRangeException(nameof(subsampling));
        Quality = quality;
        Subsampling = subsampling;
        _handle = TurboJpegNative.InitCompress();
        if (_handle.IsInvalid) throw new JpegException("tjInitCompress failed: " + TurboJpegNative.LastError(_handle));
    }

    /// <summary>Encodes <paramref name="rgb"/> (<c>[height, width, 3]</c>) and returns the JPEG bytes.</summary>
    public byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"image size must be positive, got {width}x{height}");
        long expected = (long)width * height * 3;
        if (rgb.Length != expected) throw new ArgumentException($"{width}x{height} RGB24 needs {expected} bytes, got {rgb.Length}", nameof(rgb));
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        Enter();
        try
        {
            ulong bound = TurboJpegNative.BufSize(width, height, (int)Subsampling).Value;
            if (bound == ulong.MaxValue || bound > int.MaxValue) throw new JpegException($"a {width}x{height} JPEG is too large to encode");
            byte[] buffer = ArrayPool<byte>.Shared.Rent((int)bound);
            try
            {
                CULong size = new((nuint)buffer.Length);
                fixed (byte* src = rgb)
                fixed (byte* dst = buffer)
                {
                    byte* out_ = dst;
                    int rc = TurboJpegNative.Compress2(_handle, src, width, width * 3, height, TurboJpegNative.PixelFormatRgb,
                        &out_, &size, (int)Subsampling, Quality, TurboJpegNative.FlagNoRealloc);
                    if (rc != 0) throw new JpegException($"JPEG encode of a {width}x{height} image failed: {TurboJpegNative.LastError(_handle)}");
                    if (out_ != dst) throw new JpegException("TurboJPEG reallocated a buffer it was told not to");
                }
                return buffer.AsSpan(0, checked((int)size.Value)).ToArray();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        finally
        {
            Exit();
        }
    }

    public byte[] Encode(RgbImage image) => Encode(image.Pixels, image.Width, image.Height);

    private void Enter()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new InvalidOperationException("a JpegEncoder is being used by two threads at once; use one instance per thread");
    }

    private void Exit() => Volatile.Write(ref _busy, 0);

    public void Dispose() => _handle.Dispose();
}
