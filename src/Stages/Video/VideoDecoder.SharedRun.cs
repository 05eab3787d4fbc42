using System.Buffers;
using System.Globalization;

namespace CrossVideoMAE.Stages.Video;

/// <summary>A video and the source frames wanted from it, one part of a shared ffmpeg run.</summary>
public sealed record DecodeRequest(VideoInfo Video, IReadOnlyList<int> FrameIndices);

public sealed partial class VideoDecoder
{
    /// <summary>Receives one decoded frame of a shared run: the request's position in the list, the frame's
    /// source index and its pixels (valid only during the call).</summary>
    public delegate void SharedFrameHandler(int request, int sourceIndex, ReadOnlySpan<byte> rgb24);

    /// <summary>
    /// True when <paramref name="video"/> can share an ffmpeg run with others: decodes that start with a fast
    /// seek cannot, because the timestamp copy they need (<c>-copyts</c>) applies to every input of a run.
    /// </summary>
    public bool CanShareRun(VideoInfo video, IReadOnlyList<int> frameIndices)
    {
        ArgumentNullException.ThrowIfNull(video);
        return frameIndices.Count > 0 && !Seeks(video, frameIndices.Distinct().Order().ToArray());
    }

    /// <summary>
    /// Decodes several videos with one ffmpeg run, one input and one rawvideo output per request, so
    /// ffmpeg's start-up (about 0.1 s of CPU, mostly binding its 200 libraries) is paid once. Each output
    /// goes to a file in <paramref name="scratchDir"/>, which is read back and deleted when the run ends.
    /// A request whose output is complete gets its distinct frames, in increasing index order, through
    /// <paramref name="onFrame"/>; the frames are byte-identical to <see cref="DecodeEachAsync"/>'s. The result
    /// says which requests completed. One that did not (a broken file, a stream that ends early, a run that
    /// failed or timed out) is left to the caller, who decodes it alone to learn why: this method never
    /// classifies a failure, so a bad file cannot cost its neighbours anything but this run.
    /// </summary>
    /// <exception cref="ArgumentException">A request cannot share a run (see <see cref="CanShareRun"/>) or asks for no frames.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; ffmpeg is killed.</exception>
    public async Task<bool[]> DecodeSharedAsync(IReadOnlyList<DecodeRequest> requests, string scratchDir,
        SharedFrameHandler onFrame, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(onFrame);
        var wanted = new int[requests.Count][];
        var sizes = new (int Width, int Height)[requests.Count];
        for (int r = 0; r < requests.Count; r++)
        {
            DecodeRequest q = requests[r];
            CheckFrames(q.Video, q.FrameIndices, nameof(requests));
            wanted[r] = q.FrameIndices.Distinct().Order().ToArray();
            if (Seeks(q.Video, wanted[r])) throw new ArgumentException($"'{q.Video.Path}' needs a seek and cannot share a run", nameof(requests));
            sizes[r] = OutputSizeOf(q.Video);
        }
        var done = new bool[requests.Count];
        if (requests.Count == 0) return done;

        Directory.CreateDirectory(scratchDir);
        string stem = Path.Combine(scratchDir, Guid.NewGuid().ToString("N"));
        string[] outputs = Enumerable.Range(0, requests.Count).Select(r => $"{stem}-{r}.rgb").ToArray();
        try
        {
            await RunSharedAsync(requests, wanted, sizes, outputs, ct).ConfigureAwait(false);
            for (int r = 0; r < requests.Count; r++)
                done[r] = HandOver(r, outputs[r], wanted[r], sizes[r], onFrame);
            return done;
        }
        finally
        {
            foreach (string f in outputs) File.Delete(f);
        }
    }

    private async Task RunSharedAsync(IReadOnlyList<DecodeRequest> requests, int[][] wanted, (int Width, int Height)[] sizes,
        string[] outputs, CancellationToken ct)
    {
        var args = new List<string> { "-nostdin", "-hide_banner", "-v", "error", "-y" };
        for (int r = 0; r < requests.Count; r++) args.AddRange(InputArguments(requests[r].Video, wanted[r], seek: false));
        args.AddRange(["-filter_threads", _options.Threads.ToString(CultureInfo.InvariantCulture)]);
        for (int r = 0; r < requests.Count; r++)
        {
            // With the past-end check the output holds one frame more when the container under-reports; it is then not
            // complete (see HandOver), and the caller's decode alone reports why.
            int[] selected = WithPastEndCheck(requests[r].Video, wanted[r]);
            args.AddRange(OutputArguments(requests[r].Video, r.ToString(CultureInfo.InvariantCulture), selected, sizes[r].Width, sizes[r].Height, seek: false));
            args.Add(VideoProbe.ToolInput(outputs[r]));
        }
        // The run's time limit grows with its size; a run past it is killed and its unfinished requests go back to the caller.
        TimeSpan limit = _options.Timeout * requests.Count;
        using var tool = ToolProcess.Start(_options.FfmpegPath, args, limit, ct);
        await tool.Stdout.CopyToAsync(Stream.Null, CancellationToken.None).ConfigureAwait(false);
        await tool.WaitForExitAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }

    // Reads one output back if it holds exactly the wanted frames; false otherwise (missing, short, or long: a frame past the count).
    private static bool HandOver(int request, string output, int[] wanted, (int Width, int Height) size, SharedFrameHandler onFrame)
    {
        int frameBytes = checked(size.Width * size.Height * 3);
        var file = new FileInfo(output);
        if (!file.Exists || file.Length != (long)frameBytes * wanted.Length) return false;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(frameBytes);
        try
        {
            using var stream = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1, FileOptions.SequentialScan);
            foreach (int index in wanted)
            {
                stream.ReadExactly(buffer, 0, frameBytes);
                onFrame(request, index, buffer.AsSpan(0, frameBytes));
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
