namespace QueryLake.Errors;

/// <summary>A lake operation was asked for something that does not exist or is not allowed
/// (an unknown dataset, version, tag or branch; a type mismatch on append).</summary>
public sealed class LakeException : QueryLakeException
{
    /// <summary>Creates the error with a stable code.</summary>
    public LakeException(string code, string message) : base(code, message) { }
}
