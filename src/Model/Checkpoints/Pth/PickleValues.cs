using System.Numerics;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.Pth;

// The values a weights-only pickle can build. Plain Python scalars map to C# values:
// None -> null, bool -> bool, int -> long (or BigInteger past 64 bits), float -> double,
// str -> string. Containers and torch objects get the small types below. Nothing here
// runs code: a value is only data.

/// <summary>A Python tuple (immutable, hashable when its items are).</summary>
internal sealed class PyTuple(IReadOnlyList<object?> items)
{
    public IReadOnlyList<object?> Items { get; } = items;
    public int Count => Items.Count;
    public object? this[int i] => Items[i];
    public override string ToString() => "(" + string.Join(", ", Items.Select(PyValue.Describe)) + ")";
}

/// <summary>A Python list.</summary>
internal sealed class PyList
{
    public List<object?> Items { get; } = new();
}

/// <summary>A Python dict or collections.OrderedDict: insertion-ordered, later writes replace earlier ones.</summary>
internal sealed class PyDict
{
    private readonly Dictionary<object, int> index = new(PyKeyComparer.Instance);
    private readonly List<KeyValuePair<object, object?>> entries = new();

    public IReadOnlyList<KeyValuePair<object, object?>> Entries => entries;
    public int Count => entries.Count;

    public void Set(object? key, object? value)
    {
        object k = key ?? PyNone.Value;
        if (!PyKeyComparer.IsHashable(k))
            throw new InvalidDataException($"a dict key of type {PyValue.TypeName(key)} is not hashable (or is nested too deeply)");
        if (index.TryGetValue(k, out int at)) entries[at] = new(k, value);
        else
        {
            index[k] = entries.Count;
            entries.Add(new(k, value));
        }
    }

    public bool TryGet(string key, out object? value)
    {
        if (index.TryGetValue(key, out int at))
        {
            value = entries[at].Value;
            return true;
        }
        value = null;
        return false;
    }
}

/// <summary>None used as a dict key (a dictionary cannot hold a null key).</summary>
internal sealed class PyNone
{
    public static readonly PyNone Value = new();
    private PyNone() { }
    public override string ToString() => "None";
}

/// <summary>A reference to one of the allowed globals (never a callable: its meaning lives in <see cref="TorchPickleGlobals"/>).</summary>
internal sealed record PyGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
    public override string ToString() => FullName;
}

/// <summary>A typed storage in the archive: entry <c>data/{Key}</c> holding <see cref="Numel"/> elements.</summary>
internal sealed record StorageRef(string Key, ScalarType DType, long Numel, string Location);

/// <summary>A tensor view described by the pickle (torch._utils._rebuild_tensor_v2's arguments);
/// its values are read from the storage only after the whole pickle is parsed.</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride)
{
    public long Numel => Size.Aggregate(1L, (a, b) => a * b);
}

/// <summary>Helpers to name and compare pickle values.</summary>
internal static class PyValue
{
    public static string TypeName(object? v) => v switch
    {
        null or PyNone => "None",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        PyTuple => "tuple",
        PyList => "list",
        PyDict => "dict",
        PyGlobal g => g.FullName,
        StorageRef => "storage",
        TensorRef => "tensor",
        _ => v.GetType().Name,
    };

    public static string Describe(object? v) => v switch
    {
        null => "None",
        string s => "'" + (s.Length > 40 ? s[..40] + "…" : s) + "'",
        bool b => b ? "True" : "False",
        long or BigInteger or double => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!,
        _ => TypeName(v),
    };
}

/// <summary>Python equality for the hashable key types a checkpoint uses: str, int, float, bool, None, tuples of these.</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    /// <summary>Tuple keys nested deeper than this are refused, which also bounds the recursion of hashing and comparing.</summary>
    private const int MaxKeyDepth = 16;

    public static bool IsHashable(object k) => IsHashable(k, 0);

    private static bool IsHashable(object k, int depth) => k switch
    {
        string or long or BigInteger or double or bool or PyNone or PyGlobal => true,
        PyTuple t => depth < MaxKeyDepth && t.Items.All(i => IsHashable(i ?? PyNone.Value, depth + 1)),
        _ => false,
    };

    public new bool Equals(object? a, object? b)
    {
        a = Normalize(a);
        b = Normalize(b);
        if (a is PyTuple ta && b is PyTuple tb)
            return ta.Count == tb.Count && ta.Items.Zip(tb.Items).All(p => Equals(p.First, p.Second));
        return object.Equals(a, b);
    }

    public int GetHashCode(object o)
    {
        o = Normalize(o)!;
        if (o is PyTuple t)
        {
            var h = new HashCode();
            foreach (object? i in t.Items) h.Add(GetHashCode(i ?? PyNone.Value));
            return h.ToHashCode();
        }
        return o.GetHashCode();
    }

    // Python compares 1 == 1.0 == True; ints that fit in 64 bits are longs.
    private static object? Normalize(object? v) => v switch
    {
        null => PyNone.Value,
        bool b => b ? 1L : 0L,
        BigInteger bi when bi >= long.MinValue && bi <= long.MaxValue => (long)bi,
        double d when d == Math.Floor(d) && d >= long.MinValue && d < 9.2e18 => (long)d,
        _ => v,
    };
}
