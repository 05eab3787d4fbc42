namespace CrossVideoMAE.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost open scope and
/// disposes them all when the scope is disposed, so a training step frees its temporaries
/// deterministically. Keep a result with <see cref="MoveToOuter"/> or
/// <see cref="Tensor.DetachFromDisposeScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly List<Tensor> tensors = new();
    private readonly DisposeScope? outer;
    private bool disposed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    internal static DisposeScope? Current => current;

    /// <summary>Number of tensors this scope will dispose.</summary>
    public int Count => tensors.Count(t => t.Scope == this);

    internal void Register(Tensor t)
    {
        t.Scope = this;
        tensors.Add(t);
    }

    /// <summary>Hands the tensor to the enclosing scope (or to no scope) and returns it.</summary>
    public T MoveToOuter<T>(T t) where T : Tensor
    {
        if (t.Scope != this) return t;
        t.Scope = null;
        outer?.Register(t);
        return t;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (Tensor t in tensors)
            if (t.Scope == this) t.Dispose();
        tensors.Clear();
        if (current == this) current = outer;
    }
}
