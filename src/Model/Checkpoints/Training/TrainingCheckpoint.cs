using System.Globalization;
using System.Text.Json;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using CrossVideoMAE.Torch.Optim;

namespace CrossVideoMAE.Model.Checkpoints.Training;

/// <summary>
/// Our full training state in one safetensors file: model tensors under <c>model.</c>, optimiser
/// state under <c>optim.</c> (<see cref="Optimizer.state_tensors"/>), generator states under
/// <c>rng.{name}</c> (byte tensors from <see cref="Generator.get_state"/>), and the progress
/// as string metadata (format, format_version, step, epoch, sample_in_epoch, schedule_position,
/// created_utc, config, extra.*). Files are named <c>ckpt-{step:D8}.safetensors</c> and written
/// atomically (temporary file, flush, rename, directory fsync), so a directory only ever holds
/// complete checkpoints plus, after a crash, temporary files that discovery ignores.
/// </summary>
public static class TrainingCheckpoint
{
    public const string FormatName = "cvmae-training-checkpoint";
    public const int FormatVersion = 1;
    public const string ModelPrefix = "model.", OptimizerPrefix = "optim.", RngPrefix = "rng.", ExtraPrefix = "extra.";

    /// <summary>Writes <c>ckpt-{step}.safetensors</c> into <paramref name="directory"/> (created if needed) and returns its path.</summary>
    public static string Save(string directory, TrainingProgress progress, IReadOnlyDictionary<string, Tensor> model,
        Optimizer? optimizer = null, IReadOnlyDictionary<string, Generator>? generators = null)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, CheckpointDirectory.FileName(progress.Step));
        SaveFile(path, progress, model, optimizer, generators);
        return path;
    }

    /// <summary>Writes one checkpoint file at <paramref name="path"/>.</summary>
    public static void SaveFile(string path, TrainingProgress progress, IReadOnlyDictionary<string, Tensor> model,
        Optimizer? optimizer = null, IReadOnlyDictionary<string, Generator>? generators = null)
    {
        if (model.Count == 0) throw new ArgumentException("a training checkpoint needs the model's tensors");
        if (progress.Step < 0 || progress.Epoch < 0 || progress.SampleInEpoch < 0 || progress.SchedulePosition < 0)
            throw new ArgumentException("step, epoch, sample position and schedule position must not be negative");
        try { using var _ = JsonDocument.Parse(progress.ConfigJson); }
        catch (JsonException e) { throw new ArgumentException($"ConfigJson is not valid JSON: {e.Message}", e); }

        var tensors = new List<KeyValuePair<string, Tensor>>();
        var owned = new List<Tensor>();
        try
        {
            foreach (var (k, t) in model) tensors.Add(new(ModelPrefix + k, t));
            if (optimizer is not null)
                foreach (var (k, t) in optimizer.state_tensors())
                {
                    owned.Add(t);
                    tensors.Add(new(OptimizerPrefix + k, t));
                }
            if (generators is not null)
                foreach (var (name, g) in generators)
                {
                    Tensor state = g.get_state().DetachFromDisposeScope();
                    owned.Add(state);
                    tensors.Add(new(RngPrefix + name, state));
                }
            SafeTensors.Save(path, tensors, ToMetadata(progress with { CreatedUtc = DateTimeOffset.UtcNow }));
        }
        finally
        {
            foreach (Tensor t in owned) t.Dispose();
        }
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Reads a checkpoint; throws <see cref="InvalidDataException"/> naming the file if it is not one of ours or is damaged.</summary>
    public static TrainingCheckpointData Load(string path)
    {
        var (tensors, metadata) = SafeTensors.Load(path);
        try
        {
            TrainingProgress progress = FromMetadata(path, metadata);
            var model = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            var optim = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            var rng = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (k, t) in tensors)
            {
                if (k.StartsWith(ModelPrefix, StringComparison.Ordinal)) model[k[ModelPrefix.Length..]] = t;
                else if (k.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) optim[k[OptimizerPrefix.Length..]] = t;
                else if (k.StartsWith(RngPrefix, StringComparison.Ordinal)) rng[k[RngPrefix.Length..]] = t;
                else throw new InvalidDataException($"{path}: tensor '{k}' is not under model., optim. or rng.");
            }
            if (model.Count == 0) throw new InvalidDataException($"{path}: the checkpoint holds no model tensors");
            return new TrainingCheckpointData(path, progress, model, optim, rng);
        }
        catch
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
            throw;
        }
    }

    internal static Dictionary<string, string> ToMetadata(TrainingProgress p)
    {
        var m = new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["step"] = p.Step.ToString(CultureInfo.InvariantCulture),
            ["epoch"] = p.Epoch.ToString(CultureInfo.InvariantCulture),
            ["sample_in_epoch"] = p.SampleInEpoch.ToString(CultureInfo.InvariantCulture),
            ["schedule_position"] = p.SchedulePosition.ToString(CultureInfo.InvariantCulture),
            ["created_utc"] = p.CreatedUtc.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["config"] = p.ConfigJson,
        };
        foreach (var (k, v) in p.Extra) m[ExtraPrefix + k] = v;
        return m;
    }

    /// <summary>Parses and checks the metadata of one of our checkpoints.</summary>
    internal static TrainingProgress FromMetadata(string path, IReadOnlyDictionary<string, string> m)
    {
        string Get(string key) => m.TryGetValue(key, out string? v) ? v : throw new InvalidDataException($"{path}: checkpoint metadata lacks '{key}'");
        long Number(string key) =>
            long.TryParse(Get(key), NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v
                : throw new InvalidDataException($"{path}: checkpoint metadata '{key}' = '{m[key]}' is not a non-negative integer");

        if (!m.TryGetValue("format", out string? format) || format != FormatName)
            throw new InvalidDataException($"{path}: not a CrossVideoMAE training checkpoint (metadata format is '{format ?? "missing"}')");
        long version = Number("format_version");
        if (version > FormatVersion)
            throw new InvalidDataException($"{path}: checkpoint format version {version} is newer than this program reads ({FormatVersion})");
        if (!DateTimeOffset.TryParse(Get("created_utc"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTimeOffset created))
            throw new InvalidDataException($"{path}: checkpoint metadata 'created_utc' is not a timestamp");
        string config = Get("config");
        try { using var _ = JsonDocument.Parse(config); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: checkpoint config is not valid JSON ({e.Message})"); }

        return new TrainingProgress
        {
            Step = Number("step"),
            Epoch = Number("epoch"),
            SampleInEpoch = Number("sample_in_epoch"),
            SchedulePosition = Number("schedule_position"),
            ConfigJson = config,
            CreatedUtc = created,
            Extra = m.Where(kv => kv.Key.StartsWith(ExtraPrefix, StringComparison.Ordinal))
                     .ToDictionary(kv => kv.Key[ExtraPrefix.Length..], kv => kv.Value),
        };
    }
}
