namespace CrossVideoMAE.Torch.NN;

/// <summary>
/// Base of every layer: named parameters, buffers and child modules registered explicitly,
/// in order, so that state-dict names follow PyTorch's dotted convention
/// (<c>blocks.0.attn.qkv.weight</c>).
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string name, Parameter param)> ownParameters = new();
    private readonly List<(string name, Tensor buffer, bool persistent)> buffers = new();
    private readonly List<(string name, Module module)> children = new();

    public bool training { get; private set; } = true;

    protected Parameter register_parameter(string name, Tensor data, bool requires_grad = true)
    {
        var p = new Parameter(data, requires_grad);
        data.Dispose();
        ownParameters.Add((name, p));
        return p;
    }

    protected Tensor register_buffer(string name, Tensor buffer, bool persistent = true)
    {
        buffer.DetachFromDisposeScope();
        buffers.Add((name, buffer, persistent));
        return buffer;
    }

    protected T register_module<T>(string name, T module) where T : Module
    {
        children.Add((name, module));
        return module;
    }

    public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
    {
        foreach (var (n, p) in ownParameters) yield return (n, p);
        if (!recurse) yield break;
        foreach (var (cn, c) in children)
            foreach (var (n, p) in c.named_parameters())
                yield return ($"{cn}.{n}", p);
    }

    public IEnumerable<Parameter> parameters() => named_parameters().Select(x => x.parameter);

    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool persistentOnly = false)
    {
        foreach (var (n, b, persistent) in buffers)
            if (!persistentOnly || persistent) yield return (n, b);
        foreach (var (cn, c) in children)
            foreach (var (n, b) in c.named_buffers(persistentOnly))
                yield return ($"{cn}.{n}", b);
    }

    public IEnumerable<(string name, Module module)> named_children() => children;

    public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (cn, c) in children)
            foreach (var x in c.named_modules(prefix.Length == 0 ? cn : $"{prefix}.{cn}"))
                yield return x;
    }

    public long parameter_count() => parameters().Sum(p => p.numel());

    /// <summary>Parameters and persistent buffers by dotted name (the tensors themselves, not copies),
    /// in PyTorch's order: a module's own parameters, then its own buffers, then each child's entries.</summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var d = new Dictionary<string, Tensor>();
        AddState(d, "");
        return d;
    }

    private void AddState(Dictionary<string, Tensor> d, string prefix)
    {
        foreach (var (n, p) in ownParameters) d[prefix + n] = p;
        foreach (var (n, b, persistent) in buffers)
            if (persistent) d[prefix + n] = b;
        foreach (var (cn, c) in children) c.AddState(d, $"{prefix}{cn}.");
    }

    /// <summary>Copies values in by name. With <paramref name="strict"/>, a missing or unexpected
    /// key throws; otherwise they are returned. A shape mismatch always throws, before anything is copied.</summary>
    public (List<string> missing, List<string> unexpected) load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        Dictionary<string, Tensor> own = state_dict();
        var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
        var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new InvalidDataException(
                $"state dict does not match the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        // Every shape is checked before anything is copied, so a refused load changes nothing.
        var mismatched = own
            .Where(kv => source.TryGetValue(kv.Key, out Tensor? src) && !src.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"'{kv.Key}': checkpoint shape [{string.Join(", ", source[kv.Key].shape)}], model shape [{string.Join(", ", kv.Value.shape)}]")
            .ToList();
        if (mismatched.Count > 0)
            throw new InvalidDataException($"state dict shapes do not match the model: {string.Join("; ", mismatched)}");
        using (torch.no_grad())
        {
            foreach (var (k, dst) in own)
                if (source.TryGetValue(k, out Tensor? src)) dst.copy_(src);
        }
        return (missing, unexpected);
    }

    public Module train(bool on = true)
    {
        foreach (var (_, m) in named_modules()) m.training = on;
        return this;
    }

    public Module eval() => train(false);

    /// <summary>Moves parameters and buffers in place (the same Parameter objects stay valid for
    /// optimisers created afterwards); <paramref name="dtype"/> applies to floating tensors only.</summary>
    public Module to(Device device, ScalarType? dtype = null) => MoveAll(device, dtype);

    /// <summary>Converts floating parameters and buffers to <paramref name="dtype"/> in place, on their devices.</summary>
    public Module to(ScalarType dtype) => MoveAll(null, dtype);

    private Module MoveAll(Device? device, ScalarType? dtype)
    {
        foreach (var (_, m) in named_modules())
        {
            foreach (var (_, p) in m.ownParameters) MoveInPlace(p, device, p.dtype.IsFloatingPoint() ? dtype : null, isParameter: true);
            foreach (var (_, b, _) in m.buffers) MoveInPlace(b, device, b.dtype.IsFloatingPoint() ? dtype : null, isParameter: false);
        }
        return this;
    }

    // Points the tensor object at a converted copy; its gradient, if any, is dropped.
    private static void MoveInPlace(Tensor t, Device? device, ScalarType? dtype, bool isParameter)
    {
        Device current = t.device;
        // "cuda" without an index means the current CUDA device: a tensor already on CUDA stays.
        Device targetDevice = device is { } d && (d.Type != current.Type || d.Index >= 0 && d.Index != current.Index) ? d : current;
        ScalarType targetType = dtype ?? t.dtype;
        if (current == targetDevice && t.dtype == targetType) return;
        bool rg = t.requires_grad;
        using Tensor moved = t.to(targetDevice, targetType);
        using Tensor leaf = moved.detach();
        t.SwapHandle(Native.LibTorch.cvm_alias(leaf.Handle));
        if (isParameter) t.requires_grad = rg;
    }

    public void zero_grad()
    {
        foreach (Parameter p in parameters()) p.grad = null;
    }

    public virtual void Dispose()
    {
        foreach (var (_, p) in ownParameters) p.Dispose();
        foreach (var (_, b, _) in buffers) b.Dispose();
        foreach (var (_, c) in children) c.Dispose();
        GC.SuppressFinalize(this);
    }
}
