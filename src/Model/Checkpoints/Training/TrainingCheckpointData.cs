using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;

namespace CrossVideoMAE.Model.Checkpoints.Training;

/// <summary>
/// A loaded training checkpoint (CPU tensors, owned by this object) and the checked ways to put
/// it back: every restore first compares names, shapes and dtypes with the live object and
/// reports all differences in one <see cref="InvalidDataException"/> naming the file, then copies.
/// </summary>
public sealed class TrainingCheckpointData : IDisposable
{
    public string Path { get; }
    public TrainingProgress Progress { get; }

    /// <summary>Model tensors by name (without the "model." prefix).</summary>
    public IReadOnlyDictionary<string, Tensor> Model { get; }

    /// <summary>Optimiser state tensors by name (without "optim.").</summary>
    public IReadOnlyDictionary<string, Tensor> Optimizer { get; }

    /// <summary>Generator states by name (without "rng.").</summary>
    public IReadOnlyDictionary<string, Tensor> Rng { get; }

    internal TrainingCheckpointData(string path, TrainingProgress progress, Dictionary<string, Tensor> model,
        Dictionary<string, Tensor> optimizer, Dictionary<string, Tensor> rng)
    {
        Path = path;
        Progress = progress;
        Model = model;
        Optimizer = optimizer;
        Rng = rng;
    }

    /// <summary>Copies the model tensors into the module's parameters and buffers (all of them must match).</summary>
    public void RestoreModel(Module module) => RestoreInto(module.state_dict(), Model, "model");

    /// <summary>Copies the model tensors into live tensors by name (e.g. a state dict of several modules).</summary>
    public void RestoreModel(IReadOnlyDictionary<string, Tensor> target) => RestoreInto(target, Model, "model");

    /// <summary>Restores the optimiser's state (moments, step counts) after checking it has the same layout.</summary>
    public void RestoreOptimizer(Optimizer optimizer)
    {
        // Only the names and shapes of the live state are read.
        Dictionary<string, Tensor> live = optimizer.state_tensors();
        try { Check(live, Optimizer, "optimiser"); }
        finally { foreach (Tensor t in live.Values) t.Dispose(); }
        optimizer.load_state_tensors(Optimizer);
    }

    /// <summary>Restores one generator's state saved under <paramref name="name"/>.</summary>
    public void RestoreGenerator(string name, Generator generator)
    {
        if (!Rng.TryGetValue(name, out Tensor? state))
            throw new InvalidDataException($"{Path}: no generator state 'rng.{name}' (saved: {List(Rng.Keys)})");
        using Tensor current = generator.get_state();
        if (!current.shape.SequenceEqual(state.shape) || current.dtype != state.dtype)
            throw new InvalidDataException($"{Path}: generator state 'rng.{name}' is {Describe(state)}, this generator's is {Describe(current)}");
        generator.set_state(state);
    }

    private void RestoreInto(IReadOnlyDictionary<string, Tensor> target, IReadOnlyDictionary<string, Tensor> saved, string what)
    {
        Check(target, saved, what);
        using var _ = torch.no_grad();
        foreach (var (k, dst) in target) dst.copy_(saved[k]);
    }

    private void Check(IReadOnlyDictionary<string, Tensor> live, IReadOnlyDictionary<string, Tensor> saved, string what)
    {
        var problems = new List<string>();
        var missing = live.Keys.Where(k => !saved.ContainsKey(k)).ToList();
        var unexpected = saved.Keys.Where(k => !live.ContainsKey(k)).ToList();
        if (missing.Count > 0) problems.Add($"missing {List(missing)}");
        if (unexpected.Count > 0) problems.Add($"unexpected {List(unexpected)}");
        foreach (var (k, t) in live)
            if (saved.TryGetValue(k, out Tensor? s) && (!s.shape.SequenceEqual(t.shape) || s.dtype != t.dtype))
                problems.Add($"'{k}' is {Describe(s)} in the checkpoint but {Describe(t)} here");
        if (problems.Count > 0)
            throw new InvalidDataException($"{Path}: the {what} state does not match: {string.Join("; ", problems)}");
    }

    private static string Describe(Tensor t) => $"{t.dtype}[{string.Join(", ", t.shape)}]";

    private static string List(IEnumerable<string> names)
    {
        var l = names.ToList();
        return "[" + string.Join(", ", l.Take(10)) + (l.Count > 10 ? $", … ({l.Count} in all)" : "") + "]";
    }

    public void Dispose()
    {
        foreach (Tensor t in Model.Values.Concat(Optimizer.Values).Concat(Rng.Values)) t.Dispose();
    }
}
