using System.Globalization;
using DuckDB.NET.Data;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Errors;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Execution.Write;

/// <summary>
/// INSERT, UPDATE (with and without FROM), DELETE and MERGE run as plans with a write operator on top. Random sequences of
/// them (subqueries, joins and NULLs included) leave the same table in QueryLake as in DuckDB, in process, after every
/// statement; each statement commits exactly one version; an UPDATE … FROM that matches a row twice changes nothing.
/// </summary>
public sealed class WriteStatementProperties
{
    private const string Schema = "id BIGINT, k BIGINT, v VARCHAR, x DOUBLE";

    private static readonly Gen<string> Statements =
        from c in Gen.Choose(0, 12)
        from op in Gen.Elements("<", ">=", "=", "<>")
        from kind in Gen.Choose(0, 9)
        select kind switch
        {
            0 => $"UPDATE t SET x = x + {c}, v = v || 'u' WHERE k {op} {c}",
            1 => $"UPDATE t SET v = s.name, x = s.w FROM s WHERE s.k = t.k AND s.w > {c}",
            2 => $"UPDATE t SET k = NULL WHERE x IS NOT NULL AND x < {c}",
            3 => $"DELETE FROM t WHERE k {op} {c} AND (v IS NULL OR v <> 'a')",
            4 => $"DELETE FROM t WHERE k IN (SELECT k FROM s WHERE w > {c})",
            5 => $"DELETE FROM t WHERE EXISTS (SELECT 1 FROM s WHERE s.k = t.k AND s.name = 'n{c}')",
            6 => $"INSERT INTO t SELECT id + 100, k + 1, v, x * 2 FROM t WHERE k {op} {c}",
            7 => $"MERGE INTO t USING (SELECT * FROM s WHERE w {op} {c}) m ON t.k = m.k WHEN MATCHED THEN UPDATE SET x = m.w, v = m.name WHEN NOT MATCHED THEN INSERT (id, k, v, x) VALUES (m.k + 1000, m.k, m.name, m.w)",
            8 => $"MERGE INTO t USING s ON t.k = s.k AND s.w > {c} WHEN MATCHED THEN DELETE",
            _ => $"INSERT INTO t VALUES ({c + 500}, {c % 4}, NULL, {c}.5), ({c + 600}, NULL, 'z', NULL)",
        };

    [Fact]
    public void Random_write_sequences_leave_the_table_DuckDB_leaves()
    {
        var property = Prop.ForAll(Gen.ListOf(Statements, 6).ToArbitrary(), statements =>
        {
            using var duck = new DuckDBConnection("Data Source=:memory:");
            duck.Open();
            using var ql = QueryLakeSession.Open();
            var setup = new[]
            {
                $"CREATE TABLE t ({Schema})",
                "INSERT INTO t SELECT range, CASE WHEN range % 9 = 0 THEN NULL ELSE range % 11 END, CASE WHEN range % 5 = 0 THEN NULL ELSE CASE range % 4 WHEN 0 THEN 'a' WHEN 1 THEN 'b' WHEN 2 THEN 'c' ELSE 'd' END END, CASE WHEN range % 7 = 0 THEN NULL ELSE range / 3.0 END FROM range(60)",
                "CREATE TABLE s (k BIGINT, name VARCHAR, w DOUBLE)",
                "INSERT INTO s SELECT range, 'n' || range, range * 1.5 FROM range(0, 12, 2)",
            };
            foreach (var sql in setup) { Duck(duck, sql); ql.Execute(sql); }
            foreach (var sql in statements)
            {
                long before = ql.Lake.OpenDataset("t").LatestVersion;
                long theirs = Convert.ToInt64(DuckScalar(duck, sql), CultureInfo.InvariantCulture);
                long ours = ql.Query(sql).Rows().Single()[0] is long n ? n : -1;
                Assert.True(theirs == ours, $"{sql}: DuckDB changed {theirs} rows, QueryLake {ours}");
                long versions = ql.Lake.OpenDataset("t").LatestVersion - before;
                Assert.True(versions == (ours > 0 ? 1 : 0), $"{sql} committed {versions} versions");
                var expected = DuckRows(duck, "SELECT * FROM t ORDER BY id, k, v, x");
                var actual = ql.Query("SELECT * FROM t ORDER BY id, k NULLS LAST, v NULLS LAST, x NULLS LAST").Rows().Select(Line).ToList();
                Assert.True(expected.SequenceEqual(actual), $"after {sql}:\nDuckDB:    {string.Join("; ", expected)}\nQueryLake: {string.Join("; ", actual)}");
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), property);
    }

    /// <summary>Writes to the second table, so transactions span two datasets.</summary>
    private static readonly Gen<string> SecondTable =
        from c in Gen.Choose(0, 12)
        from kind in Gen.Choose(0, 2)
        select kind switch
        {
            0 => $"UPDATE s SET w = w + {c} WHERE k < {c}",
            // A key s does not hold yet: a source key twice makes UPDATE … FROM s and MERGE ambiguous, which QueryLake
            // refuses and DuckDB resolves by picking a row.
            1 => $"INSERT INTO s SELECT {c + 20}, 'm{c}', {c}.25 WHERE NOT EXISTS (SELECT 1 FROM s WHERE k = {c + 20})",
            _ => $"DELETE FROM s WHERE k = {c}",
        };

    [Fact]
    public void Random_transactions_over_two_tables_leave_the_tables_DuckDB_leaves()
    {
        // Each transaction: a few writes to t and s, then COMMIT or ROLLBACK, in both engines. After each, both tables
        // match DuckDB's, and a committed transaction added at most one version per table, a rolled back one none.
        var transaction = from writes in Gen.ListOf(Gen.OneOf(Statements, Statements, SecondTable), 4)
                          from commit in Gen.Elements(true, true, false)
                          select (Writes: writes.ToList(), Commit: commit);
        var property = Prop.ForAll(Gen.ListOf(transaction, 3).ToArbitrary(), transactions =>
        {
            using var duck = new DuckDBConnection("Data Source=:memory:");
            duck.Open();
            using var ql = QueryLakeSession.Open();
            foreach (var sql in new[]
            {
                $"CREATE TABLE t ({Schema})",
                "INSERT INTO t SELECT range, range % 11, CASE WHEN range % 5 = 0 THEN NULL ELSE 'v' || (range % 4) END, range / 3.0 FROM range(40)",
                "CREATE TABLE s (k BIGINT, name VARCHAR, w DOUBLE)",
                "INSERT INTO s SELECT range, 'n' || range, range * 1.5 FROM range(0, 12, 2)",
            }) { Duck(duck, sql); ql.Execute(sql); }
            foreach (var (writes, commit) in transactions)
            {
                long t0 = ql.Lake.OpenDataset("t").LatestVersion, s0 = ql.Lake.OpenDataset("s").LatestVersion;
                Duck(duck, "BEGIN TRANSACTION");
                ql.Execute("BEGIN TRANSACTION");
                foreach (var sql in writes) { Duck(duck, sql); ql.Execute(sql); }
                Duck(duck, commit ? "COMMIT" : "ROLLBACK");
                ql.Execute(commit ? "COMMIT" : "ROLLBACK");
                foreach (var (table, order, before) in new[] { ("t", "id, k, v, x", t0), ("s", "k, name, w", s0) })
                {
                    var expected = DuckRows(duck, $"SELECT * FROM {table} ORDER BY {order}");
                    var actual = ql.Query($"SELECT * FROM {table} ORDER BY {string.Join(", ", order.Split(", ").Select(c => c + " NULLS LAST"))}").Rows().Select(Line).ToList();
                    Assert.True(expected.SequenceEqual(actual), $"{table} after {(commit ? "COMMIT" : "ROLLBACK")} of {string.Join("; ", writes)}:\nDuckDB:    {string.Join("; ", expected)}\nQueryLake: {string.Join("; ", actual)}");
                    long added = ql.Lake.OpenDataset(table).Versions().Count(v => v.Version > before);
                    Assert.True(commit ? added <= 1 : added == 0, $"{table}: the transaction added {added} versions");
                }
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(15), property);
    }

    [Fact]
    public void An_update_that_matches_a_row_twice_changes_nothing()
    {
        using var ql = QueryLakeSession.Open();
        ql.Execute("CREATE TABLE t (id BIGINT, v VARCHAR); INSERT INTO t VALUES (1, 'a'), (2, 'b'); CREATE TABLE twice (id BIGINT, v VARCHAR); INSERT INTO twice VALUES (2, 'x'), (2, 'y')");
        long version = ql.Lake.OpenDataset("t").LatestVersion;
        var e = Assert.ThrowsAny<QueryLakeException>(() => ql.Execute("UPDATE t SET v = twice.v FROM twice WHERE twice.id = t.id"));
        Assert.Equal("QL-AMBIGUOUS-UPDATE", e.Code);
        Assert.Equal(version, ql.Lake.OpenDataset("t").LatestVersion);
        Assert.Equal(["1|a", "2|b"], ql.Query("SELECT * FROM t ORDER BY id").Rows().Select(Line));
    }

    [Fact]
    public void Update_from_reuses_the_hash_join_and_derived_columns_are_computed_in_the_plan()
    {
        using var ql = QueryLakeSession.Open();
        ql.Execute("CREATE TABLE t AS SELECT range AS id, range % 5 AS k FROM range(100); ALTER DATASET t ADD COLUMN k2 AS k * 2; CREATE TABLE s AS SELECT range AS k, range * 10 AS w FROM range(5)");
        var plan = (string)ql.Query("EXPLAIN UPDATE t SET k = s.w FROM s WHERE s.k = t.k").Rows().Single()[0]!;
        var lines = plan.Split('\n');
        Assert.StartsWith("Update: t [k, k2], ", lines[0]);
        Assert.Matches(@"^  Projection: _rowid, \(?w#\d+\)? AS k, \(w#\d+ \* 2\) AS k2  ", lines[1]);
        Assert.StartsWith("    HashJoin: inner on ", lines[2]);
        Assert.Equal(100L, ql.Query("UPDATE t SET k = s.w FROM s WHERE s.k = t.k").Rows().Single()[0]);
        Assert.Equal(0L, ql.Query("SELECT count(*) FROM t WHERE k2 <> k * 2 OR k % 10 <> 0").Rows().Single()[0]);
        var insert = (string)ql.Query("EXPLAIN INSERT INTO t VALUES (1000, 7)").Rows().Single()[0]!;
        Assert.Contains("Insert: t [id, k, k2], one commit", insert);
        Assert.Contains("AS k2", insert);
        var e = Assert.Throws<QueryLake.Language.SqlException>(() => ql.Execute("UPDATE t SET k2 = 1"));
        Assert.Equal("QL-DERIVED-COLUMN", e.Code);
        // EXPLAIN ANALYZE runs a write (and commits it): a read-only session refuses it, but shows the plan.
        long version = ql.Lake.OpenDataset("t").LatestVersion;
        ql.ReadOnly = true;
        Assert.StartsWith("Delete: t", (string)ql.Query("EXPLAIN DELETE FROM t WHERE id < 5").Rows().Single()[0]!);
        Assert.Equal("QL-READ-ONLY", Assert.Throws<QueryLake.Language.SqlException>(() => ql.Execute("EXPLAIN ANALYZE DELETE FROM t WHERE id < 5")).Code);
        ql.ReadOnly = false;
        Assert.Contains("Delete: t", (string)ql.Query("EXPLAIN ANALYZE DELETE FROM t WHERE id < 5").Rows().Single()[0]!);
        Assert.Equal(version + 1, ql.Lake.OpenDataset("t").LatestVersion);
        Assert.Equal(95L, ql.Query("SELECT count(*) FROM t").Rows().Single()[0]);
    }

    [Fact]
    public void The_first_insert_into_a_dataset_without_columns_defines_them_in_the_same_commit()
    {
        using var ql = QueryLakeSession.Open();
        ql.Execute("CREATE DATASET t");
        Assert.Contains("defines its columns", (string)ql.Query("EXPLAIN INSERT INTO t (a, b) VALUES (1, 'x')").Rows().Single()[0]!);
        Assert.Equal(2L, ql.Query("INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL)").Rows().Single()[0]);
        var versions = ql.Lake.OpenDataset("t").Versions();
        Assert.Equal(2, versions.Count);
        Assert.Equal(2L, versions[^1].RowCount);
        Assert.Equal(["a", "b"], ql.Lake.OpenDataset("t").Schema.Fields.Select(f => f.Name));
        // A failing first insert commits nothing, and leaves the dataset without columns.
        ql.Execute("CREATE DATASET u");
        Assert.ThrowsAny<QueryLakeException>(() => ql.Execute("INSERT INTO u SELECT CAST('x' || range AS INTEGER) AS n FROM range(3)"));
        Assert.Single(ql.Lake.OpenDataset("u").Versions());
        Assert.Empty(ql.Lake.OpenDataset("u").Schema.Fields);
    }

    private static string Line(object?[] row) => string.Join("|", row.Select(Text));

    private static string Text(object? v) => v switch
    {
        null or DBNull => "NULL",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture)!,
    };

    private static void Duck(DuckDBConnection duck, string sql)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? DuckScalar(DuckDBConnection duck, string sql)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteNonQuery();
    }

    private static List<string> DuckRows(DuckDBConnection duck, string sql)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read()) rows.Add(string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => Text(r.IsDBNull(i) ? null : r.GetValue(i)))));
        return rows;
    }
}
