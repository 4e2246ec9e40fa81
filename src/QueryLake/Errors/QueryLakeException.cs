using System.Data.Common;

namespace QueryLake.Errors;

/// <summary>
/// The base of every error QueryLake reports to its users. <see cref="Code"/> is stable across
/// releases, so callers can branch on it; the message names the problem and where it is. It is a
/// <see cref="DbException"/>, so ADO.NET code (and Dapper) handles it like any database error.
/// </summary>
public class QueryLakeException : DbException
{
    /// <summary>Creates an error with a stable code and a message.</summary>
    public QueryLakeException(string code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    /// <summary>A stable, machine-readable error code such as <c>QL-CORRUPT</c>.</summary>
    public string Code { get; }

    /// <summary>The stable code, as ADO.NET's SQLSTATE slot.</summary>
    public override string? SqlState => Code;
}
