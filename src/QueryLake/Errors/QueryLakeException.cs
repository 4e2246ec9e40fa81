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
        : base(message, inner)
    {
        Code = code;
        HResult = ErrorNumber(code);
    }

    /// <summary>A stable, machine-readable error code such as <c>QL-CORRUPT</c>.</summary>
    public string Code { get; }

    /// <summary>The stable code, as ADO.NET's SQLSTATE slot.</summary>
    public override string? SqlState => Code;

    /// <summary>The number <see cref="System.Runtime.InteropServices.ExternalException.ErrorCode"/> (and HResult) carries
    /// for a code: the FNV-1a hash of its text, as a positive 31-bit number, so it is the same in every release and
    /// process and differs between codes (QL-CANCELLED is 479258998, QL-TIMEOUT 772187834).</summary>
    public static int ErrorNumber(string code)
    {
        uint hash = 2166136261;
        foreach (char c in code)
        {
            hash ^= c;
            hash *= 16777619;
        }
        return (int)(hash & 0x7FFFFFFF);
    }
}
