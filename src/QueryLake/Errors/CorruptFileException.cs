namespace QueryLake.Errors;

/// <summary>A file is truncated, corrupted or not in the format it claims to be.</summary>
public sealed class CorruptFileException : QueryLakeException
{
    /// <summary>Creates the error for <paramref name="path"/>; the message is prefixed with the path.</summary>
    public CorruptFileException(string path, string problem, Exception? inner = null)
        : base("QL-CORRUPT", $"{path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}
