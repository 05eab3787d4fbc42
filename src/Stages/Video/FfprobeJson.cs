using System.Globalization;
using System.Text.Json;

namespace CrossVideoMAE.Stages.Video;

/// <summary>
/// Reads the JSON that <c>ffprobe -print_format json -show_streams -show_format</c> writes.
/// Every field is optional there, so each one is checked before use.
/// </summary>
public static class FfprobeJson
{
    /// <summary>The stream the decoder will use, with the frame count left at 0 when the header has none.</summary>
    /// <exception cref="VideoInputException">No video stream, still image, or unusable stream fields.</exception>
    public static VideoInfo Parse(string path, string json, int maxDimension = 16384)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e)
        {
            throw new VideoInputException(path, VideoStageNames.Probe, VideoFailure.Corrupt, $"ffprobe wrote unreadable JSON: {e.Message}");
        }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            JsonElement format = root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
            string container = Str(format, "format_name") ?? "";
            if (IsStillImageFormat(container))
                throw new VideoInputException(path, VideoStageNames.Probe, VideoFailure.NotAVideo, $"ffprobe reads it as a still image or text ({container}), not a video");

            JsonElement? stream = FindVideoStream(root);
            if (stream is null)
                throw new VideoInputException(path, VideoStageNames.Probe, VideoFailure.NoVideoStream,
                    $"the container ({(container.Length > 0 ? container : "unknown")}) holds no video stream");
            JsonElement s = stream.Value;

            int width = Int(s, "width") ?? 0, height = Int(s, "height") ?? 0;
            if (width <= 0 || height <= 0 || width > maxDimension || height > maxDimension)
                throw new VideoInputException(path, VideoStageNames.Probe, VideoFailure.Corrupt,
                    $"the video stream reports an unusable size {width}x{height} (accepted: 1..{maxDimension})");

            Rational avg = Rational.Parse(Str(s, "avg_frame_rate"));
            Rational real = Rational.Parse(Str(s, "r_frame_rate"));
            if (!avg.IsValid && !real.IsValid)
                throw new VideoInputException(path, VideoStageNames.Probe, VideoFailure.Corrupt, "the video stream has no frame rate (avg_frame_rate and r_frame_rate are 0/0)");

            double duration = Double(s, "duration") ?? Double(format, "duration") ?? 0.0;
            long frames = Long(s, "nb_frames") ?? 0;

            return new VideoInfo
            {
                Path = path,
                Container = container,
                StreamIndex = Int(s, "index") ?? 0,
                Codec = Str(s, "codec_name") ?? "unknown",
                PixelFormat = Str(s, "pix_fmt") ?? "unknown",
                Width = width,
                Height = height,
                Rotation = Rotation(s),
                DurationSeconds = duration > 0 && double.IsFinite(duration) ? duration : 0.0,
                FrameCount = frames > 0 ? frames : 0,
                FrameCountSource = FrameCountSource.Header,
                AverageFrameRate = avg,
                RealFrameRate = real,
                StartTime = Double(s, "start_time") ?? Double(format, "start_time") ?? 0.0,
            };
        }
    }

    /// <summary>Reads <c>nb_read_frames</c> from a <c>-count_frames -show_entries stream=nb_read_frames</c> run.</summary>
    public static long ParseCountedFrames(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.TryGetProperty("streams", out var streams) && streams.ValueKind == JsonValueKind.Array)
                foreach (JsonElement s in streams.EnumerateArray())
                    if (Long(s, "nb_read_frames") is long n) return n;
        }
        catch (JsonException) { }
        return 0;
    }

    /// <summary>Clockwise display rotation normalised to [0, 360): the display matrix's rotation is
    /// counter-clockwise (ffprobe prints av_display_rotation_get), the legacy rotate tag clockwise.</summary>
    private static int Rotation(JsonElement s)
    {
        if (s.TryGetProperty("side_data_list", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (JsonElement sd in list.EnumerateArray())
                if (Double(sd, "rotation") is double ccw && double.IsFinite(ccw))
                    return Normalise(-(int)Math.Round(ccw));
        if (s.TryGetProperty("tags", out var tags) && Long(tags, "rotate") is long cw)
            return Normalise((int)(cw % 360));
        return 0;
    }

    private static int Normalise(int degrees) => ((degrees % 360) + 360) % 360;

    private static bool IsStillImageFormat(string container)
        => container is "image2" or "tty" or "gif" || container.EndsWith("_pipe", StringComparison.Ordinal);

    // The first video stream that is not an attached picture (cover art in mp4/mkv).
    private static JsonElement? FindVideoStream(JsonElement root)
    {
        if (!root.TryGetProperty("streams", out var streams) || streams.ValueKind != JsonValueKind.Array) return null;
        foreach (JsonElement s in streams.EnumerateArray())
        {
            if (Str(s, "codec_type") != "video") continue;
            bool cover = s.TryGetProperty("disposition", out var d) && Int(d, "attached_pic") == 1;
            if (!cover) return s;
        }
        return null;
    }

    private static string? Str(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    // ffprobe writes some numbers as JSON numbers (width) and others as strings (duration, nb_frames).
    private static double? Double(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d)) return d;
        if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d)) return d;
        return null;
    }

    private static long? Long(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n)) return n;
        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return n;
        return null;
    }

    private static int? Int(JsonElement e, string name)
        => Long(e, name) is long n && n is >= int.MinValue and <= int.MaxValue ? (int)n : null;
}
