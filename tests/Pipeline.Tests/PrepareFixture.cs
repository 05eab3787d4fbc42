using CrossVideoMAE.Stages.SampleData;
using CrossVideoMAE.TestSupport;
using Xunit;

namespace CrossVideoMAE.Pipeline.Tests;

/// <summary>A quick sample dataset plus the broken-input set, annotated in the UCF101 format
/// (class "broken" holds the broken files; one of them does not exist).</summary>
public sealed class PrepareFixture : IAsyncLifetime
{
    public TempDir Dir { get; } = new("cvmae-prepare");
    public SampleDataset Sample { get; private set; } = null!;
    public IReadOnlyList<BrokenInput> Broken { get; private set; } = [];
    public string BrokenSplitDir => Dir.File("broken-split");
    public string BrokenVideos => Dir.File("broken-videos");

    public async Task InitializeAsync()
    {
        var generator = new SampleDatasetGenerator();
        Sample = await generator.GenerateAsync(new SampleDatasetOptions
        {
            OutputDir = Dir.File("sample"), Classes = 3, VideosPerClass = 4, Seed = 5, Quick = true,
        });
        Broken = await generator.GenerateBrokenInputsAsync(Path.Combine(BrokenVideos, "broken"));
        Directory.CreateDirectory(BrokenSplitDir);
        await File.WriteAllTextAsync(Path.Combine(BrokenSplitDir, "classInd.txt"), "1 broken\n");
        var lines = Broken.Select(b => $"broken/{Path.GetFileName(b.Path)} 1");
        await File.WriteAllLinesAsync(Path.Combine(BrokenSplitDir, "trainlist01.txt"), lines);
        await File.WriteAllTextAsync(Path.Combine(BrokenSplitDir, "testlist01.txt"), "");
    }

    public Task DisposeAsync()
    {
        Dir.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PrepareCollection : ICollectionFixture<PrepareFixture>
{
    public const string Name = "prepare";
}
