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
        Reason = message;
    }

    /// <summary>The message without its position.</summary>
    public string Reason { get; }

    /// <summary>1-based line of the problem.</summary>
    public int Line { get; }

    /// <summary>1-based column of the problem.</summary>
    public int Column { get; }

    /// <summary>The line of <paramref name="sql"/> the error is on, and a caret under its column, each line indented by
    /// two spaces, for front ends to print under the message (empty when the position is not in <paramref name="sql"/>).</summary>
    public string Pointer(string sql)
    {
        var lines = sql.Replace("\r\n", "\n").Split('\n');
        if (Line < 1 || Line > lines.Length) return "";
        var text = lines[Line - 1].Replace('\t', ' ');
        if (Column < 1 || Column > text.Length + 1) return "";
        return "  " + text + "\n  " + new string(' ', Column - 1) + "^";
    }
}
