using System.Globalization;
using System.Numerics;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.Pth;

/// <summary>The tensors of a PyTorch checkpoint by flat dotted name, plus what was left out.</summary>
public sealed class PthStateDict : IDisposable
{
    /// <summary>CPU tensors in the checkpoint's order; owned by this object until removed from the dictionary.</summary>
    public Dictionary<string, Tensor> Tensors { get; }

    /// <summary>One line per entry that is not a tensor (epochs, args, optimiser scalars, wrapper siblings).</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>The wrapper key(s) the weights were found under ("model", "module", "state_dict"), or null.</summary>
    public string? UnwrappedFrom { get; }

    internal PthStateDict(Dictionary<string, Tensor> tensors, IReadOnlyList<string> skipped, string? unwrappedFrom)
    {
        Tensors = tensors;
        Skipped = skipped;
        UnwrappedFrom = unwrappedFrom;
    }

    public void Dispose()
    {
        foreach (Tensor t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }
}

/// <summary>
/// Reads PyTorch <c>.pth</c>/<c>.pt</c> files written by torch.save (zip format, PyTorch ≥ 1.6) the way
/// torch.load(weights_only=True) does: the pickle is parsed by a data-only unpickler that accepts
/// just the tensor-rebuild globals, so a file can never run code. Views (offsets, strides) are
/// copied out of their storages in row-major order. Every defect is an
/// <see cref="InvalidDataException"/> naming the file (a forbidden global: "refused: ... the global 'os.system'").
/// </summary>
public static class PthReader
{
    // The number the legacy (pre-1.6) torch.save format pickles first.
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("01950a86a20f9469cfc6c", NumberStyles.HexNumber);

    /// <summary>Loads the tensors; with <paramref name="unwrap"/>, weights under model/module/state_dict are taken from there.</summary>
    public static PthStateDict Load(string path, bool unwrap = true)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint file not found", path);
        if (!PthArchive.LooksLikeZip(path)) throw NotAnArchive(path);

        using PthArchive archive = PthArchive.Open(path);
        var globals = new TorchPickleGlobals(path, storagesAllowed: true);
        object? root = new SafeUnpickler(archive.ReadPickle(), $"{path} ({archive.Prefix}/data.pkl)", globals).Load();

        StateDictFlattener.Flattened flat;
        try { flat = StateDictFlattener.Flatten(root, unwrap); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }

        try { CheckMaterialisedSize(flat.Tensors.Select(kv => kv.Value)); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }

        // A storage that is exactly one tensor is read into it directly; otherwise each storage is
        // read once and all its views are copied out of it.
        var built = new Tensor?[flat.Tensors.Count];
        try
        {
            foreach (var group in flat.Tensors.Select((kv, i) => (view: kv.Value, i)).GroupBy(x => x.view.Storage.Key))
            {
                var views = group.ToList();
                if (views.Count == 1 && TensorFromBytes.TryReadWhole(archive, views[0].view, out Tensor? whole))
                {
                    built[views[0].i] = whole;
                    continue;
                }
                StorageRef storage = views[0].view.Storage;
                byte[] bytes = archive.ReadStorage(storage);
                foreach (var (view, i) in views)
                    built[i] = TensorFromBytes.Create(StridedView.Gather(bytes, storage.DType.ElementSize(), view), storage.DType, view.Size);
            }
        }
        catch
        {
            foreach (Tensor? t in built) t?.Dispose();
            throw;
        }
        var tensors = new Dictionary<string, Tensor>(built.Length, StringComparer.Ordinal);
        for (int i = 0; i < built.Length; i++) tensors[flat.Tensors[i].Key] = built[i]!;
        return new PthStateDict(tensors, flat.Skipped, flat.UnwrappedFrom);
    }

    /// <summary>The most elements one view may repeat its storage into (torch keeps expanded views lazy; we copy).</summary>
    public const long MaxRepeatedElements = 1L << 24;

    /// <summary>Bytes the copies may add beyond four times the storages' own bytes (views sharing a storage, tied weights).</summary>
    public const long MaxExtraBytes = 256L << 20;

    // Views can overlap (stride 0, many views of one storage), so copying them out could amplify a small
    // file into an enormous allocation; legitimate checkpoints stay far inside these bounds.
    private static void CheckMaterialisedSize(IEnumerable<TensorRef> views)
    {
        long storageBytes = 0, copyBytes = 0;
        var seen = new HashSet<string>();
        foreach (TensorRef v in views)
        {
            int es = v.Storage.DType.ElementSize();
            if (seen.Add(v.Storage.Key)) storageBytes += v.Storage.Numel * es;
            long numel = v.Numel;
            if (numel > v.Storage.Numel && numel > MaxRepeatedElements)
                throw new InvalidDataException($"a tensor view of {numel} elements repeats the {v.Storage.Numel} elements of storage '{v.Storage.Key}'; refusing to copy it out");
            copyBytes += numel * es;
        }
        if (copyBytes > 4 * storageBytes + MaxExtraBytes)
            throw new InvalidDataException($"the tensor views add up to {copyBytes} bytes from {storageBytes} bytes of storage; refusing to copy them out");
    }

    /// <summary>Loads and hands back just the tensors (the caller owns them).</summary>
    public static Dictionary<string, Tensor> LoadTensors(string path, bool unwrap = true)
    {
        using PthStateDict sd = Load(path, unwrap);
        var result = new Dictionary<string, Tensor>(sd.Tensors, StringComparer.Ordinal);
        sd.Tensors.Clear();
        return result;
    }

    // Not a zip: a bare pickle is parsed (data-only) so that a dangerous one is named as such;
    // the legacy (pre-1.6) format starts with a pickled magic number.
    private static InvalidDataException NotAnArchive(string path)
    {
        byte[] head;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            if (fs.Length == 0 || fs.ReadByte() != 0x80)
                return new InvalidDataException($"{path}: not a torch.save checkpoint (neither a zip archive nor a pickle)");
            if (fs.Length > SafeUnpickler.MaxPickleBytes)
                return new InvalidDataException($"{path}: not a zip-format torch.save checkpoint (a bare pickle of {fs.Length} bytes)");
            fs.Position = 0;
            head = new byte[fs.Length];
            fs.ReadExactly(head);
        }
        object? first = new SafeUnpickler(head, path, new TorchPickleGlobals(path, storagesAllowed: false)).Load();
        if (first is BigInteger magic && magic == LegacyMagic)
            return new InvalidDataException($"{path}: legacy torch.save format (PyTorch < 1.6) is not supported; re-save it with a newer PyTorch");
        return new InvalidDataException($"{path}: a bare pickle holding a {PyValue.TypeName(first)}, not a zip-format torch.save checkpoint");
    }
}
