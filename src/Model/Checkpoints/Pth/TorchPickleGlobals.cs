using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.Pth;

/// <summary>
/// The allow-list of a weights-only load, as torch.load(weights_only=True): the typed storage
/// classes, the tensor and parameter rebuild functions, and collections.OrderedDict. Each is
/// interpreted as data (a storage reference, a tensor view, an empty dict); any other global is
/// refused at the GLOBAL opcode, before anything is built, with an <see cref="InvalidDataException"/>
/// that names the file and the global.
/// </summary>
internal sealed class TorchPickleGlobals(string source, bool storagesAllowed) : IPickleGlobals
{
    /// <summary>The most dimensions a tensor view may have.</summary>
    public const int MaxDims = 32;

    private static readonly Dictionary<string, ScalarType> StorageTypes = new()
    {
        ["FloatStorage"] = ScalarType.Float32, ["DoubleStorage"] = ScalarType.Float64,
        ["HalfStorage"] = ScalarType.Float16, ["BFloat16Storage"] = ScalarType.BFloat16,
        ["LongStorage"] = ScalarType.Int64, ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16, ["CharStorage"] = ScalarType.Int8,
        ["ByteStorage"] = ScalarType.Byte, ["BoolStorage"] = ScalarType.Bool,
    };

    private static readonly PyGlobal RebuildTensorV2 = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly PyGlobal RebuildParameter = new("torch._utils", "_rebuild_parameter");
    private static readonly PyGlobal RebuildParameterWithState = new("torch._utils", "_rebuild_parameter_with_state");
    private static readonly PyGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PyGlobal[] Callables = [RebuildTensorV2, RebuildParameter, RebuildParameterWithState, OrderedDict];

    private readonly Dictionary<string, StorageRef> storages = new();

    /// <summary>Every storage the pickle referenced, by archive key.</summary>
    public IReadOnlyDictionary<string, StorageRef> Storages => storages;

    public PyGlobal Resolve(string module, string name)
    {
        if (module == "torch" && StorageTypes.ContainsKey(name)) return new PyGlobal(module, name);
        foreach (PyGlobal g in Callables)
            if (g.Module == module && g.Name == name) return g;
        throw new InvalidDataException(
            $"{source}: refused: the pickle references the global '{module}.{name}'. A weights-only load accepts only " +
            "torch.*Storage, torch._utils._rebuild_tensor_v2/_rebuild_parameter and collections.OrderedDict; " +
            "nothing was executed.");
    }

    public object? Reduce(PyGlobal callable, PyTuple args)
    {
        if (callable == OrderedDict)
        {
            if (args.Count != 0) throw new InvalidDataException("collections.OrderedDict is expected with no arguments");
            return new PyDict();
        }
        if (callable == RebuildTensorV2) return RebuildTensor(args);
        if (callable == RebuildParameter || callable == RebuildParameterWithState)
        {
            int want = callable == RebuildParameter ? 3 : 4;
            if (args.Count != want) throw new InvalidDataException($"{callable} takes {want} arguments, got {args.Count}");
            return args[0] as TensorRef ?? throw new InvalidDataException($"{callable} needs a tensor, got a {PyValue.TypeName(args[0])}");
        }
        throw new InvalidDataException($"'{callable}' is a type, not a function a checkpoint calls");
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    private static TensorRef RebuildTensor(PyTuple a)
    {
        if (a.Count is not (6 or 7)) throw new InvalidDataException($"_rebuild_tensor_v2 takes 6 or 7 arguments, got {a.Count}");
        if (a[0] is not StorageRef storage) throw new InvalidDataException($"_rebuild_tensor_v2 needs a storage, got a {PyValue.TypeName(a[0])}");
        if (a[1] is not long offset || offset < 0) throw new InvalidDataException($"tensor storage offset {PyValue.Describe(a[1])} is not a non-negative int");
        long[] size = IntTuple(a[2], "size");
        long[] stride = IntTuple(a[3], "stride");
        if (size.Length != stride.Length)
            throw new InvalidDataException($"tensor size has {size.Length} dimensions but stride has {stride.Length}");
        if (a[4] is not bool) throw new InvalidDataException("tensor requires_grad is not a bool");
        if (a[5] is not (null or PyDict { Count: 0 })) throw new InvalidDataException("tensor backward hooks must be empty");
        var view = new TensorRef(storage, offset, size, stride);
        StridedView.CheckFits(view);
        return view;
    }

    private static long[] IntTuple(object? v, string what)
    {
        if (v is not PyTuple t) throw new InvalidDataException($"tensor {what} is a {PyValue.TypeName(v)}, not a tuple");
        if (t.Count > MaxDims) throw new InvalidDataException($"tensor {what} has {t.Count} dimensions (at most {MaxDims})");
        var r = new long[t.Count];
        for (int i = 0; i < r.Length; i++)
            r[i] = t[i] is long x && x >= 0 ? x : throw new InvalidDataException($"tensor {what} entry {PyValue.Describe(t[i])} is not a non-negative int");
        return r;
    }

    public object? Build(object? target, object? state)
    {
        // An OrderedDict state dict carries its `_metadata` (module versions) as instance state; weights do not need it.
        if (target is PyDict && state is null or PyDict or PyTuple) return target;
        throw new InvalidDataException($"BUILD on a {PyValue.TypeName(target)} is not something a weights-only checkpoint does");
    }

    // ('storage', storage_type, key, location, numel)
    public object? PersistentLoad(object? pid)
    {
        if (!storagesAllowed)
            throw new InvalidDataException("a persistent storage reference appears outside a .pth zip archive");
        if (pid is not PyTuple { Count: 5 } t || t[0] is not "storage")
            throw new InvalidDataException($"persistent id {PyValue.Describe(pid)} is not ('storage', type, key, location, numel)");
        if (t[1] is not PyGlobal type || type.Module != "torch" || !StorageTypes.TryGetValue(type.Name, out ScalarType dtype))
            throw new InvalidDataException($"storage type {PyValue.Describe(t[1])} is not a torch.*Storage class");
        if (t[2] is not string key || key.Length is 0 or > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new InvalidDataException($"storage key {PyValue.Describe(t[2])} is not a short alphanumeric name");
        if (t[3] is not string location) throw new InvalidDataException($"storage location {PyValue.Describe(t[3])} is not a string");
        if (t[4] is not long numel || numel < 0) throw new InvalidDataException($"storage size {PyValue.Describe(t[4])} is not a non-negative int");

        var s = new StorageRef(key, dtype, numel, location);
        if (storages.TryGetValue(key, out StorageRef? seen))
        {
            if (seen.DType != s.DType || seen.Numel != s.Numel)
                throw new InvalidDataException($"storage '{key}' is referenced as {seen.DType}[{seen.Numel}] and as {s.DType}[{s.Numel}]");
            return seen;
        }
        storages[key] = s;
        return s;
    }
}
