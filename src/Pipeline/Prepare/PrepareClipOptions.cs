using CrossVideoMAE.Stages.Clips;

namespace CrossVideoMAE.Pipeline.Prepare;

/// <summary>The clip stages' settings taken from a prepare run's options.</summary>
public static class PrepareClipOptions
{
    public static ClipExtractorOptions ClipExtraction(this PrepareOptions o) => new()
    {
        ClipLength = o.ClipLength, Stride = o.Stride, ClipMode = o.ClipMode, ClipsPerVideo = o.ClipsPerVideo,
        SampledFrames = o.SampledFrames, Selection = o.Selection, Seed = o.Seed,
        ShortSide = o.ShortSide, JpegQuality = o.JpegQuality,
        StageTimeout = o.StageTimeout, Retries = o.Retries, ScratchDir = o.ScratchDir,
    };
}
