namespace CrossVideoMAE.Stages.Datasets;

/// <summary>A reader of one annotation format. Each is constructed with the files and the video folder it
/// reads, and returns every split those files describe.</summary>
public interface IDatasetReader
{
    /// <summary>Short name of the format, e.g. "kinetics400".</summary>
    string Format { get; }

    /// <exception cref="ManifestFormatException">A malformed row, naming file and line.</exception>
    /// <exception cref="FileNotFoundException">An annotation file is missing.</exception>
    Task<DatasetManifest> ReadAsync(CancellationToken ct = default);
}
