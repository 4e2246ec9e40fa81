using System.Runtime.InteropServices;

namespace QueryLake.Native;

/// <summary>The few POSIX calls the commit protocol needs: link(2) as an atomic create-if-absent, and fsync of directories.</summary>
internal static partial class LibC
{
    public const int EEXIST = 17;
    private const int O_RDONLY = 0;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    /// <summary>Creates <paramref name="newPath"/> as a hard link to <paramref name="oldPath"/>; false if it already exists.</summary>
    public static bool TryLink(string oldPath, string newPath)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            // No link(2): File.Copy without overwrite is create-if-absent, though not atomic against crashes.
            try { File.Copy(oldPath, newPath, overwrite: false); return true; }
            catch (IOException) when (File.Exists(newPath)) { return false; }
        }
        if (LinkNative(oldPath, newPath) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST) return false;
        throw new IOException($"cannot publish {newPath}: link(2) failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})");
    }

    /// <summary>fsyncs a directory so that entries created in it survive a crash.</summary>
    public static void FsyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = Open(path, O_RDONLY);
        if (fd < 0) return;
        try { Fsync(fd); } finally { Close(fd); }
    }
}
