using System.IO.Compression;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Checkpoints.Pth;

/// <summary>
/// The zip layout torch.save has written since PyTorch 1.6: every entry sits under one top folder
/// <c>{prefix}/</c>; <c>{prefix}/data.pkl</c> is the pickle, <c>{prefix}/data/{key}</c> the raw
/// bytes of each storage, <c>{prefix}/byteorder</c> ("little" or "big") is optional (absent means little).
/// </summary>
internal sealed class PthArchive : IDisposable
{
    private readonly ZipArchive zip;
    private readonly Dictionary<string, ZipArchiveEntry> entries = new(StringComparer.Ordinal);

    public string Path { get; }
    public string Prefix { get; }
    public bool BigEndian { get; }

    private PthArchive(string path, ZipArchive zip)
    {
        Path = path;
        this.zip = zip;
        foreach (ZipArchiveEntry e in zip.Entries) entries[e.FullName] = e;

        var pickles = entries.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length).ToList();
        if (pickles.Count != 1)
            throw new InvalidDataException($"{path}: not a torch.save archive: expected one '<name>/data.pkl' entry, found {pickles.Count}");
        Prefix = pickles[0][..^"/data.pkl".Length];

        if (entries.TryGetValue(Prefix + "/byteorder", out ZipArchiveEntry? order))
        {
            string text = System.Text.Encoding.ASCII.GetString(ReadEntry(order, 16)).Trim();
            BigEndian = text switch
            {
                "little" => false,
                "big" => true,
                _ => throw new InvalidDataException($"{path}: byteorder entry says '{text}', not 'little' or 'big'"),
            };
        }
    }

    /// <summary>Opens the archive; a file that is not a zip (or a damaged one) gives an <see cref="InvalidDataException"/> naming it.</summary>
    public static PthArchive Open(string path)
    {
        FileStream fs = new(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var zip = new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: false);
            try { return new PthArchive(path, zip); }
            catch { zip.Dispose(); throw; }
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            fs.Dispose();
            throw new InvalidDataException($"{path}: not a readable zip archive ({e.Message})", e);
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    /// <summary>Whether the file starts with a zip local-file header.</summary>
    public static bool LooksLikeZip(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> magic = stackalloc byte[4];
        return fs.Read(magic) == 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && magic[2] == 3 && magic[3] == 4;
    }

    public byte[] ReadPickle() => ReadEntry(entries[Prefix + "/data.pkl"], SafeUnpickler.MaxPickleBytes);

    /// <summary>The raw bytes of a storage, checked to hold exactly numel elements, in little-endian order.</summary>
    public byte[] ReadStorage(StorageRef s)
    {
        var bytes = new byte[StorageEntry(s).Length];
        ReadStorageInto(s, bytes);
        return bytes;
    }

    /// <summary>Reads a storage straight into <paramref name="destination"/> (exactly its size), in little-endian order.</summary>
    public void ReadStorageInto(StorageRef s, Span<byte> destination)
    {
        ZipArchiveEntry e = StorageEntry(s);
        if (destination.Length != e.Length) throw new ArgumentException($"storage '{s.Key}' needs {e.Length} bytes, the destination holds {destination.Length}");
        ReadEntryInto(e, destination);
        if (BigEndian) TensorFromBytes.SwapBytes(destination, s.DType.ElementSize());
    }

    private ZipArchiveEntry StorageEntry(StorageRef s)
    {
        if (!entries.TryGetValue($"{Prefix}/data/{s.Key}", out ZipArchiveEntry? e))
            throw new InvalidDataException($"{Path}: storage '{s.Key}' is referenced by the pickle but the archive has no '{Prefix}/data/{s.Key}'");
        long need = s.Numel * s.DType.ElementSize();
        if (need > Array.MaxLength)
            throw new InvalidDataException($"{Path}: storage '{s.Key}' of {s.Numel} {s.DType} elements is larger than a single 2 GiB array");
        if (e.Length != need)
            throw new InvalidDataException($"{Path}: storage '{s.Key}' holds {e.Length} bytes but {s.Numel} {s.DType} elements need {need}");
        return e;
    }

    private byte[] ReadEntry(ZipArchiveEntry e, long limit)
    {
        if (e.Length > limit)
            throw new InvalidDataException($"{Path}: entry '{e.FullName}' of {e.Length} bytes exceeds the {limit}-byte limit");
        var bytes = new byte[e.Length];
        ReadEntryInto(e, bytes);
        return bytes;
    }

    private void ReadEntryInto(ZipArchiveEntry e, Span<byte> destination)
    {
        try
        {
            using Stream s = e.Open();
            s.ReadExactly(destination);
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{Path}: entry '{e.FullName}' cannot be read in full ({ex.Message}); the file is damaged or truncated", ex);
        }
    }

    public void Dispose() => zip.Dispose();
}
