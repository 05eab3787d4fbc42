using CrossVideoMAE.Stages.Jpeg;
using CrossVideoMAE.Stages.Shards;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Feed;

/// <summary>
/// Decodes the JPEG frames of a shard row straight into uint8 tensors (libjpeg-turbo writes into
/// the tensor's storage; no intermediate arrays). One instance per thread.
/// </summary>
public sealed class ShardRowDecoder : IDisposable
{
    private readonly JpegDecoder jpeg = new();

    public DecodedSample Decode(ShardRow row, string source)
    {
        int t = row.Frames.Count, n = row.SampledFrames.Count;
        Tensor clip = torch.empty([t, row.Height, row.Width, 3], ScalarType.Byte).DetachFromDisposeScope();
        Tensor frames = torch.empty([n, row.Height, row.Width, 3], ScalarType.Byte).DetachFromDisposeScope();
        try
        {
            DecodeAll(row.Frames, clip, row, source, "frame");
            DecodeAll(row.SampledFrames, frames, row, source, "sampled frame");
            return new DecodedSample(row.VideoId, row.ClipIndex, row.Label, clip, frames, row.SampledPositions.ToArray());
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
        for (int i = 0; i < jpegs.Count; i++)
        {
            try
            {
                jpeg.DecodeInto(jpegs[i], all.Slice(i * bytes, bytes), row.Width, row.Height);
            }
            catch (JpegException e)
            {
                throw new InvalidDataException($"{source}: video '{row.VideoId}' clip {row.ClipIndex}: {what} {i} is not a usable JPEG ({e.Message})", e);
            }
        }
    }

    public void Dispose() => jpeg.Dispose();
}
