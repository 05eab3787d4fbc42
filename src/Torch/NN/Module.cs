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

    /// <summary>Parameters and persistent buffers by dotted name (the tensors themselves, not copies).</summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (n, p) in named_parameters()) d[n] = p;
        foreach (var (n, b) in named_buffers(persistentOnly: true)) d[n] = b;
        return d;
    }

    /// <summary>Copies values in by name. With <paramref name="strict"/>, a missing or unexpected
    /// key or a shape mismatch throws; otherwise they are returned.</summary>
    public (List<string> missing, List<string> unexpected) load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        Dictionary<string, Tensor> own = state_dict();
        var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
        var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new InvalidDataException(
                $"state dict does not match the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        using (torch.no_grad())
        {
            foreach (var (k, dst) in own)
            {
                if (!source.TryGetValue(k, out Tensor? src)) continue;
                if (!src.shape.SequenceEqual(dst.shape))
                    throw new InvalidDataException($"'{k}': checkpoint shape [{string.Join(", ", src.shape)}], model shape [{string.Join(", ", dst.shape)}]");
                dst.copy_(src);
            }
        }
        return (missing, unexpected);
    }

    public Module train(bool on = true)
    {
        foreach (var (_, m) in named_modules()) m.training = on;
        return this;
    }

    public Module eval() => train(false);

    /// <summary>Moves parameters and buffers in place (the same Parameter objects stay valid for optimisers).</summary>
    public Module to(Device device, ScalarType? dtype = null)
    {
        foreach (var (_, m) in named_modules())
        {
            foreach (var (_, p) in m.ownParameters) MoveInPlace(p, device, dtype, isParameter: true);
            foreach (var (_, b, _) in m.buffers) MoveInPlace(b, device, b.dtype.IsFloatingPoint() ? dtype : null, isParameter: false);
        }
        return this;
    }

    private static void MoveInPlace(Tensor t, Device device, ScalarType? dtype, bool isParameter)
    {
        ScalarType target = dtype ?? t.dtype;
        if (t.device == device && t.dtype == target) return;
        bool rg = t.requires_grad;
        using Tensor moved = t.to(device, target);
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
