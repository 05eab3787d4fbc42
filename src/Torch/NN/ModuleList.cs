using System.Collections;
using System.Globalization;

namespace CrossVideoMAE.Torch.NN;

/// <summary>Child modules named by position ("0", "1", ...), as torch.nn.ModuleList, so that
/// state-dict names read <c>blocks.3.attn.qkv.weight</c>.</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> items = new();

    public ModuleList(IEnumerable<T> modules)
    {
        foreach (T m in modules) Add(m);
    }

    public void Add(T module)
    {
        register_module(items.Count.ToString(CultureInfo.InvariantCulture), module);
        items.Add(module);
    }

    public T this[int index] => items[index];
    public int Count => items.Count;
    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
