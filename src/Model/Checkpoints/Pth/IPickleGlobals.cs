namespace CrossVideoMAE.Model.Checkpoints.Pth;

/// <summary>What the unpickler delegates: which globals exist, and what REDUCE, BUILD and
/// BINPERSID mean for them. An implementation interprets data; it never calls into Python
/// semantics it does not know.</summary>
internal interface IPickleGlobals
{
    /// <summary>The global named by a GLOBAL opcode; throws <see cref="InvalidDataException"/> for anything not allowed.</summary>
    PyGlobal Resolve(string module, string name);

    /// <summary>callable(*args) for an allowed callable.</summary>
    object? Reduce(PyGlobal callable, PyTuple args);

    /// <summary>obj.__setstate__(state) or its default; returns the object that stays on the stack.</summary>
    object? Build(object? target, object? state);

    /// <summary>persistent_load(pid): the storage a BINPERSID names.</summary>
    object? PersistentLoad(object? pid);
}
