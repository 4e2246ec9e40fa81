namespace QueryLake.Planning.Expressions;

/// <summary>
/// Where in the statement an expression was written (1-based line and column; 0 when unknown), so that an error it
/// raises while rows are evaluated can say where, as the binder's errors do. It takes no part in equality: two
/// expressions alike are equal wherever they were written (the planner matches GROUP BY and ORDER BY expressions
/// against the select list).
/// </summary>
internal readonly struct ErrorSite(int line, int column) : IEquatable<ErrorSite>
{
    public int Line { get; } = line;
    public int Column { get; } = column;

    /// <summary>Whether the position is known.</summary>
    public bool Known => Line > 0;

    public bool Equals(ErrorSite other) => true;
    public override bool Equals(object? obj) => obj is ErrorSite;
    public override int GetHashCode() => 0;
    public static bool operator ==(ErrorSite a, ErrorSite b) => true;
    public static bool operator !=(ErrorSite a, ErrorSite b) => false;
    public override string ToString() => Known ? $"{Line}:{Column}" : "?";
}
