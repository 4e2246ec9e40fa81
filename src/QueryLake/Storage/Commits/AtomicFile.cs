using QueryLake.Native;

namespace QueryLake.Storage.Commits;

/// <summary>
/// Writes files so that they appear completely or not at all: content goes to a temporary file that is
/// fsynced, then published under its final name with link(2), which fails if the name exists. A crash
/// at any moment leaves either no file or the whole file; a lost race is reported, never overwritten.
/// </summary>
internal static class AtomicFile
{
    public static void WriteDurable(string path, ReadOnlySpan<byte> content)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096);
        fs.Write(content);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Publishes <paramref name="content"/> at <paramref name="path"/> unless it exists; returns false on a lost race.</summary>
    public static bool TryCreate(string path, ReadOnlySpan<byte> content, string tempDirectory)
    {
        Directory.CreateDirectory(tempDirectory);
        var temp = Path.Combine(tempDirectory, $"{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        WriteDurable(temp, content);
        try
        {
            if (!LibC.TryLink(temp, path)) return false;
            LibC.FsyncDirectory(Path.GetDirectoryName(path)!);
            return true;
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
