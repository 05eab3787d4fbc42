using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Stages.Feed;

/// <summary>
/// Decodes the JPEG frames of a shard row straight into uint8 tensors (libjpeg-turbo writes into
/// the tensor's storage; no intermediate arrays). A sampled frame is a frame of the clip (prepare
/// stores the same JPEG for both), so when its bytes equal those of the clip frame at its position
/// the decoded clip frame is copied instead of decoding it again. With a <see cref="BatchSlab"/> the
/// frames are decoded into row <c>slot</c> of the batch's tensors, so collation copies nothing.
/// One instance per thread.
/// </summary>
public sealed class ShardRowDecoder : IDisposable
{
    private readonly JpegDecoder jpeg;

    /// <param name="options">The JPEG decode settings: libjpeg-turbo's accurate ones unless given (the
    /// train feed passes <see cref="JpegDecoderOptions.Fast"/>).</param>
    public ShardRowDecoder(JpegDecoderOptions? options = null) => jpeg = new JpegDecoder(options);

    public DecodedSample Decode(ShardRow row, string source, BatchSlab? slab = null, int slot = 0)
    {
        int t = row.Frames.Count, n = row.SampledFrames.Count;
        Tensor clip = slab is null
            ? torch.empty([t, row.Height, row.Width, 3], ScalarType.Byte).DetachFromDisposeScope()
            : slab.Clips.select(0, slot).DetachFromDisposeScope();                      // [T, H, W, 3] view of the batch
        Tensor frames = slab is null
            ? torch.empty([n, row.Height, row.Width, 3], ScalarType.Byte).DetachFromDisposeScope()
            : slab.Frames.select(0, slot).DetachFromDisposeScope();                     // [n, H, W, 3] view of the batch
        try
        {
            DecodeAll(row.Frames, clip, row, source, "frame");
            DecodeSampled(row, clip, frames, source);
            return new DecodedSample(row.VideoId, row.ClipIndex, row.Label, clip, frames, row.SampledPositions.ToArray(), slab);
        }
        catch
        {
            clip.Dispose();
            frames.Dispose();
            throw;
        }
    }

    // images [k, H, W, 3]: image i <- jpegs[i]
    private void DecodeAll(IReadOnlyList<byte[]> jpegs, Tensor images, ShardRow row, string source, string what)
    {
        Span<byte> all = images.data<byte>();
        int bytes = row.Width * row.Height * 3;
        for (int i = 0; i < jpegs.Count; i++) DecodeOne(jpegs[i], all.Slice(i * bytes, bytes), row, source, what, i);
    }

    // frames [n, H, W, 3]: sampled frame k <- the decoded clip frame at its position when the JPEGs are the same bytes, else decoded
    private void DecodeSampled(ShardRow row, Tensor clip, Tensor frames, string source)
    {
        int bytes = row.Width * row.Height * 3;
        Span<byte> decoded = clip.data<byte>(), all = frames.data<byte>();
        for (int k = 0; k < row.SampledFrames.Count; k++)
        {
            int p = k < row.SampledPositions.Count ? row.SampledPositions[k] : -1;
            if (p >= 0 && p < row.Frames.Count && row.SampledFrames[k].AsSpan().SequenceEqual(row.Frames[p]))
                decoded.Slice(p * bytes, bytes).CopyTo(all.Slice(k * bytes, bytes));
            else
                DecodeOne(row.SampledFrames[k], all.Slice(k * bytes, bytes), row, source, "sampled frame", k);
        }
    }

    private void DecodeOne(byte[] jpegBytes, Span<byte> destination, ShardRow row, string source, string what, int i)
    {
        try
        {
            jpeg.DecodeInto(jpegBytes, destination, row.Width, row.Height);
        }
        catch (JpegException e)
        {
            throw new InvalidDataException($"{source}: video '{row.VideoId}' clip {row.ClipIndex}: {what} {i} is not a usable JPEG ({e.Message})", e);
        }
    }

    public void Dispose() => jpeg.Dispose();
}
