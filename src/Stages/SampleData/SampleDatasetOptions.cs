namespace CrossVideoMAE.Stages.SampleData;

public sealed record SampleDatasetOptions
{
    public required string OutputDir { get; init; }
    /// <summary>Number of motion classes, 1..6 (taken in the order of <see cref="MotionClass.All"/>).</summary>
    public int Classes { get; init; } = 5;
    /// <summary>Videos per class; a quarter of them (at least one when there are two or more) form the val/test split.</summary>
    public int VideosPerClass { get; init; } = 8;
    public ulong Seed { get; init; }
    /// <summary>Small frames (160x120, 128x96) and short videos (1.5-2 s at 25 fps), for tests.</summary>
    public bool Quick { get; init; }
    /// <summary>Every video shows one scene (the same still gradient background, a white box): only the
    /// motion tells the classes apart, as in Something-Something V2. Sizes, lengths, box sizes, paths and
    /// containers still vary per video.</summary>
    public bool OneScene { get; init; }
    /// <summary>ffmpeg runs at once (each single-threaded).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
    public string FfmpegPath { get; init; } = "ffmpeg";
}
