namespace QueryLake.Data;

/// <summary>How a connection may use its lake (the <c>Mode</c> connection string key).</summary>
public enum QueryLakeMode
{
    /// <summary>Queries and changes.</summary>
    ReadWrite,

    /// <summary>Queries only: statements that would change the lake fail with <c>QL-READ-ONLY</c>.</summary>
    ReadOnly,
}
