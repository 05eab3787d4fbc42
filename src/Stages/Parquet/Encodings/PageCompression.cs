using System.IO.Compression;
using CrossVideoMAE.Stages.Parquet.Format;

namespace CrossVideoMAE.Stages.Parquet.Encodings;

/// <summary>Page body compression: UNCOMPRESSED and GZIP (RFC 1952, System.IO.Compression).
/// Decompression stops at the size the page header declares and refuses output of any
/// other length, so a corrupt or hostile page cannot inflate without bound.</summary>
public static class PageCompression
{
    public static bool IsSupported(CompressionCodec codec) => codec is CompressionCodec.Uncompressed or CompressionCodec.Gzip;

    /// <summary>The page body as stored: <paramref name="body"/> itself when uncompressed,
    /// otherwise the GZIP stream written into <paramref name="scratch"/> (valid until its next use).</summary>
    public static ReadOnlyMemory<byte> Compress(CompressionCodec codec, ReadOnlyMemory<byte> body, MemoryStream scratch)
    {
        switch (codec)
        {
            case CompressionCodec.Uncompressed:
                return body;
            case CompressionCodec.Gzip:
                scratch.SetLength(0);
                using (var gzip = new GZipStream(scratch, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(body.Span);
                return scratch.GetBuffer().AsMemory(0, (int)scratch.Length);
            default:
                throw new NotSupportedException($"compression codec {codec} is not supported by this writer");
        }
    }

    /// <summary>Returns exactly <paramref name="uncompressedSize"/> bytes (the body itself when
    /// uncompressed) or throws <see cref="InvalidDataException"/>.</summary>
    public static ReadOnlyMemory<byte> Decompress(CompressionCodec codec, ReadOnlyMemory<byte> body, int uncompressedSize)
    {
        if (uncompressedSize < 0) throw new InvalidDataException($"negative uncompressed page size {uncompressedSize}");
        switch (codec)
        {
            case CompressionCodec.Uncompressed:
                if (body.Length != uncompressedSize)
                    throw new InvalidDataException($"uncompressed page has {body.Length} bytes but its header says {uncompressedSize}");
                return body;
            case CompressionCodec.Gzip:
                return Gunzip(body, uncompressedSize);
            default:
                throw new InvalidDataException($"compression codec {codec} is not supported (only UNCOMPRESSED and GZIP)");
        }
    }

    private static byte[] Gunzip(ReadOnlyMemory<byte> body, int uncompressedSize)
    {
        var result = new byte[uncompressedSize];
        using var gzip = new GZipStream(new ReadOnlyMemoryStream(body), CompressionMode.Decompress);
        int filled = 0;
        while (filled < result.Length)
        {
            int n = Inflate(gzip, result.AsSpan(filled));
            if (n == 0) throw new InvalidDataException($"GZIP page inflates to {filled} bytes but its header says {uncompressedSize}");
            filled += n;
        }
        Span<byte> probe = stackalloc byte[1];
        if (Inflate(gzip, probe) != 0) throw new InvalidDataException($"GZIP page inflates to more than the {uncompressedSize} bytes its header says");
        return result;
    }

    private static int Inflate(GZipStream gzip, Span<byte> destination)
    {
        try
        {
            return gzip.Read(destination);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"GZIP page is corrupt: {e.Message}", e);
        }
    }

    /// <summary>A read-only stream over memory that does not copy it.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> data) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, data.Length - _position);
            data.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
