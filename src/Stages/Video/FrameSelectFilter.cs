using System.Globalization;
using System.Text;

namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Builds the ffmpeg <c>select</c> filter that keeps exactly the requested source frames.
/// <para>By decode order (<see cref="ByFrameNumber"/>): <c>n</c> counts every decoded frame from the
/// start of the stream, so frame k is the k-th frame shown, whatever its timestamp. This is the
/// only definition that stays exact for variable frame rate, and it requires decoding from the start.</para>
/// <para>By timestamp (<see cref="ByTimestamp"/>): after a fast seek, <c>n</c> restarts at the seek
/// point, so frames are identified by their original timestamps (kept with <c>-copyts</c>) as
/// <c>round((t - start) * fps)</c>. For a constant frame rate this equals the decode-order index.</para>
/// The expressions go through ArgumentList, so only ffmpeg's own escaping applies: the commas
/// inside the expression are escaped as <c>\,</c> and the expression is quoted.
/// </summary>
public static class FrameSelectFilter
{
    public static string ByFrameNumber(IReadOnlyList<int> sortedUnique)
        => Build(sortedUnique, "n");

    public static string ByTimestamp(IReadOnlyList<int> sortedUnique, double startTime, Rational fps)
    {
        if (!fps.IsValid) throw new ArgumentException("a valid frame rate is needed to select frames by timestamp", nameof(fps));
        string start = startTime.ToString("0.#########", CultureInfo.InvariantCulture);  // fixed point: ffmpeg reads a trailing E as a unit prefix
        return Build(sortedUnique, $"round((t-({start}))*{fps.Numerator}/{fps.Denominator})");
    }

    private static string Build(IReadOnlyList<int> indices, string frameNumber)
    {
        if (indices.Count == 0) throw new ArgumentException("at least one frame index is needed", nameof(indices));
        var sb = new StringBuilder("select='");
        for (int i = 0; i < indices.Count; i++)
        {
            if (i > 0) sb.Append('+');
            sb.Append("eq(").Append(frameNumber).Append("\\,").Append(indices[i].ToString(CultureInfo.InvariantCulture)).Append(')');
        }
        return sb.Append('\'').ToString();
    }
}
