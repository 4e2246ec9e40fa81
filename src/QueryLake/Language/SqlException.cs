using QueryLake.Errors;

namespace QueryLake.Language;

/// <summary>A statement could not be parsed or bound. The message starts with <c>line:column</c>.</summary>
public sealed class SqlException : QueryLakeException
{
    /// <summary>Creates the error at a position (1-based line and column).</summary>
    public SqlException(string code, int line, int column, string message)
        : base(code, $"{line}:{column}: {message}")
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line of the problem.</summary>
    public int Line { get; }

    /// <summary>1-based column of the problem.</summary>
    public int Column { get; }
}
