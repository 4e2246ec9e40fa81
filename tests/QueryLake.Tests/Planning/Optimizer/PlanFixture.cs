using QueryLake.Sessions;

namespace QueryLake.Tests.Planning.Optimizer;

/// <summary>A lake with a wide dataset (with a blob column) and a small one, for plan-text tests.</summary>
public sealed class PlanFixture : IDisposable
{
    public QueryLakeSession Session { get; } = QueryLakeSession.Open();

    public PlanFixture()
    {
        Session.Execute("""
            CREATE DATASET t (a BIGINT, b VARCHAR, c DOUBLE, img BLOB);
            INSERT INTO t VALUES (1, 'x', 0.5, NULL), (2, 'y', 0.7, NULL), (3, 'z', 0.9, NULL);
            CREATE DATASET small (a BIGINT, label VARCHAR);
            INSERT INTO small VALUES (1, 'x');
            """);
    }

    /// <summary>The optimized plan text, with the named rules switched off, without the row estimates (the tests of
    /// the estimates read them with <see cref="ExplainWithEstimates"/>).</summary>
    public string Explain(string sql, params string[] disabled) => RuleToggle.Explain(Session, sql, estimates: false, disabled);

    /// <summary>The EXPLAIN text as users see it, estimates included.</summary>
    public string ExplainWithEstimates(string sql, params string[] disabled) => RuleToggle.Explain(Session, sql, estimates: true, disabled);

    public void Dispose() => Session.Dispose();
}
