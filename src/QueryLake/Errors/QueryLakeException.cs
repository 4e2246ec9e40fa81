namespace QueryLake.Errors;

/// <summary>
/// The base of every error QueryLake reports to its users. <see cref="Code"/> is stable across
/// releases, so callers can branch on it; the message names the problem and where it is.
/// </summary>
public class QueryLakeException : Exception
{
    /// <summary>Creates an error with a stable code and a message.</summary>
    public QueryLakeException(string code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    /// <summary>A stable, machine-readable error code such as <c>QL-IO-CORRUPT</c>.</summary>
    public string Code { get; }
}
