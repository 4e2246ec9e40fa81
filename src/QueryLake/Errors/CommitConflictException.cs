namespace QueryLake.Errors;

/// <summary>
/// Another writer committed a change that conflicts with this one (both touched the same fragment,
/// or one changed the schema), or a branch merge found its base changed. Nothing was committed.
/// </summary>
public sealed class CommitConflictException : QueryLakeException
{
    /// <summary>Creates the conflict error.</summary>
    public CommitConflictException(string message) : base("QL-COMMIT-CONFLICT", message) { }
}
