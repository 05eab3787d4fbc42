using System.Runtime.InteropServices;

namespace CrossVideoMAE.Model.Checkpoints.Training;

/// <summary>
/// fsync of a directory, so that a rename into it survives a power loss (POSIX only; the data
/// file itself is flushed before its rename by SafeTensors.Save). Best effort: a file system
/// that cannot sync directories is not an error.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY on Linux and macOS

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = Open(directory, ReadOnly);
        if (fd < 0) return;
        try { Fsync(fd); }
        finally { Close(fd); }
    }
}
