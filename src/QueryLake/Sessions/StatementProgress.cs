namespace QueryLake.Sessions;

/// <summary>How far a long statement (IMPORT, COPY, CREATE DATASET … AS, INSERT … SELECT) has got: rows written so
/// far and, when known in advance (Parquet footers), the total.</summary>
/// <param name="Operation">What runs: "import", "copy", "create" or "insert".</param>
/// <param name="Rows">Rows processed so far.</param>
/// <param name="TotalRows">Rows expected in all, when known.</param>
/// <param name="Elapsed">Time since the statement began.</param>
public sealed record StatementProgress(string Operation, long Rows, long? TotalRows, TimeSpan Elapsed)
{
    /// <summary>The fraction done (0..1), when the total is known.</summary>
    public double? Fraction => TotalRows is > 0 ? Math.Min(1.0, (double)Rows / TotalRows.Value) : null;
}
