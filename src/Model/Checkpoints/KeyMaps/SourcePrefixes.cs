using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.KeyMaps;

/// <summary>
/// Removes the wrappers around an encoder's keys: DistributedDataParallel's <c>module.</c>,
/// VideoMAE pretraining's <c>encoder.</c> (its decoder lives under <c>decoder.</c>), and
/// <c>backbone.</c>. The tensors are the source's own (no copies).
/// </summary>
internal static class SourcePrefixes
{
    private static readonly string[] EncoderPrefixes = ["encoder.", "backbone."];

    public static Dictionary<string, Tensor> Strip(IReadOnlyDictionary<string, Tensor> source, List<string> notes)
    {
        var keys = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        bool ddp = false;
        foreach (var (k, v) in source)
        {
            string name = k;
            if (name.StartsWith("module.", StringComparison.Ordinal)) { name = name["module.".Length..]; ddp = true; }
            Add(keys, name, v, k);
        }
        if (ddp) notes.Add("removed the DistributedDataParallel prefix 'module.'");

        foreach (string prefix in EncoderPrefixes)
        {
            if (!keys.Keys.Any(k => k.StartsWith(prefix + "blocks.", StringComparison.Ordinal))) continue;
            var stripped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (k, v) in keys)
                Add(stripped, k.StartsWith(prefix, StringComparison.Ordinal) ? k[prefix.Length..] : k, v, k);
            keys = stripped;
            notes.Add($"took the encoder from under '{prefix}'");
        }
        return keys;
    }

    private static void Add(Dictionary<string, Tensor> d, string name, Tensor v, string original)
    {
        if (!d.TryAdd(name, v))
            throw new InvalidDataException($"checkpoint key '{original}' collides with another key once its prefix is removed ('{name}')");
    }
}
