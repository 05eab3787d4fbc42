namespace CrossVideoMAE.Model.Checkpoints.Pth;

/// <summary>
/// Turns the object a checkpoint's pickle built into flat dotted tensor names. A training
/// checkpoint that keeps its weights under <c>model</c>, <c>module</c> or <c>state_dict</c> is
/// unwrapped (the first of these that holds a dict wins); everything that is not a tensor is
/// listed in <see cref="Flattened.Skipped"/> instead.
/// </summary>
internal static class StateDictFlattener
{
    public const int MaxDepth = 64;
    private static readonly string[] WrapperKeys = ["model", "module", "state_dict"];

    public sealed record Flattened(List<KeyValuePair<string, TensorRef>> Tensors, List<string> Skipped, string? UnwrappedFrom);

    public static Flattened Flatten(object? root, bool unwrap)
    {
        var skipped = new List<string>();
        string? unwrappedFrom = null;
        object? node = root;
        while (unwrap && node is PyDict d && TryUnwrap(d, out string key, out PyDict inner))
        {
            string here = unwrappedFrom is null ? key : $"{unwrappedFrom}.{key}";
            foreach (var (k, v) in d.Entries)
                if (!Equals(k, key)) skipped.Add($"{Join(unwrappedFrom, KeyName(k) ?? PyValue.Describe(k))}: {Summary(v)} outside '{here}'");
            unwrappedFrom = here;
            node = inner;
        }

        var tensors = new List<KeyValuePair<string, TensorRef>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Walk(node, "", 0, tensors, seen, skipped);
        return new Flattened(tensors, skipped, unwrappedFrom);
    }

    private static bool TryUnwrap(PyDict d, out string key, out PyDict inner)
    {
        foreach (string k in WrapperKeys)
            if (d.TryGet(k, out object? v) && v is PyDict p)
            {
                key = k;
                inner = p;
                return true;
            }
        key = "";
        inner = d;
        return false;
    }

    private static void Walk(object? v, string name, int depth, List<KeyValuePair<string, TensorRef>> tensors, HashSet<string> seen, List<string> skipped)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"'{name}' is nested more than {MaxDepth} levels deep (or refers to itself)");
        switch (v)
        {
            case TensorRef t:
                if (!seen.Add(name)) throw new InvalidDataException($"two tensors flatten to the same name '{name}'");
                tensors.Add(new(name, t));
                return;
            case PyDict or PyList or PyTuple when !ContainsTensor(v, depth):
                if (name.Length > 0) skipped.Add($"{name}: {Summary(v)}");
                return;
            case PyDict d:
                foreach (var (k, item) in d.Entries)
                {
                    string? key = KeyName(k);
                    if (key is null) skipped.Add($"{name}[{PyValue.Describe(k)}]: a {PyValue.TypeName(k)} key is not a tensor name");
                    else Walk(item, Join(name, key), depth + 1, tensors, seen, skipped);
                }
                return;
            case PyList or PyTuple:
                IReadOnlyList<object?> items = v is PyList l ? l.Items : ((PyTuple)v).Items;
                for (int i = 0; i < items.Count; i++) Walk(items[i], Join(name, i.ToString()), depth + 1, tensors, seen, skipped);
                return;
            default:
                skipped.Add($"{(name.Length > 0 ? name : "(root)")}: {Summary(v)}");
                return;
        }
    }

    private static bool ContainsTensor(object? v, int depth)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"the checkpoint is nested more than {MaxDepth} levels deep (or refers to itself)");
        return v switch
        {
            TensorRef => true,
            PyDict d => d.Entries.Any(e => ContainsTensor(e.Value, depth + 1)),
            PyList l => l.Items.Any(i => ContainsTensor(i, depth + 1)),
            PyTuple t => t.Items.Any(i => ContainsTensor(i, depth + 1)),
            _ => false,
        };
    }

    private static string Summary(object? v) => v switch
    {
        PyDict d => $"dict of {d.Count} entries, {CountTensors(d, 0)} tensors",
        PyList l => $"list of {l.Items.Count}",
        PyTuple t => $"tuple of {t.Count}",
        TensorRef t => $"tensor [{string.Join(", ", t.Size)}]",
        _ => $"{PyValue.TypeName(v)} {PyValue.Describe(v)}",
    };

    private static int CountTensors(object? v, int depth) => depth > MaxDepth ? 0 : v switch
    {
        TensorRef => 1,
        PyDict d => d.Entries.Sum(e => CountTensors(e.Value, depth + 1)),
        PyList l => l.Items.Sum(i => CountTensors(i, depth + 1)),
        PyTuple t => t.Items.Sum(i => CountTensors(i, depth + 1)),
        _ => 0,
    };

    private static string? KeyName(object k) => k switch
    {
        string s => s,
        long n => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string Join(string? prefix, string key) => string.IsNullOrEmpty(prefix) ? key : $"{prefix}.{key}";
}
