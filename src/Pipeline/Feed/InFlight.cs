namespace CrossVideoMAE.Pipeline.Feed;

/// <summary>
/// What one epoch's feed graph holds that nobody else owns yet: rented batch slabs, decoded samples,
/// collated batches, augmented batches not yet handed to the trainer. Each stage holds what it makes
/// and lets go of what it frees or passes on. A cancelled or faulted Dataflow block drops the items
/// it buffers without a word, so once the graph has stopped, <see cref="ReleaseAll"/> frees what is
/// left and no tensor waits for a finaliser. Thread-safe.
/// </summary>
internal sealed class InFlight
{
    private readonly Dictionary<object, Action> held = new(ReferenceEqualityComparer.Instance);

    /// <summary>Takes <paramref name="item"/> into the graph's keeping; <paramref name="release"/> frees it.</summary>
    public T Hold<T>(T item, Action release) where T : class
    {
        lock (held) held.Add(item, release);
        return item;
    }

    /// <summary>The item was freed or handed on: no longer the graph's to release.</summary>
    public void LetGo(object item)
    {
        lock (held) held.Remove(item);
    }

    /// <summary>Frees every item still held (call only after every block has stopped).</summary>
    public void ReleaseAll()
    {
        Action[] releases;
        lock (held)
        {
            releases = held.Values.ToArray();
            held.Clear();
        }
        foreach (Action release in releases) release();
    }
}
