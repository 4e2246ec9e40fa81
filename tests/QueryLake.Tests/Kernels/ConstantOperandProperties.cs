using FsCheck;
using FsCheck.Fluent;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Kernels;

/// <summary>
/// Operators read a constant operand once instead of repeating it for every row. For random operators and
/// constants on either side, over columns with NULLs, the constant path gives exactly what the same operator gives
/// with the constant held in a column (the row-by-row path): values, NULLs, division by zero and overflow errors.
/// </summary>
public sealed class ConstantOperandProperties : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();

    public ConstantOperandProperties()
    {
        var rng = new Random(3);
        string I() => rng.Next(8) == 0 ? "NULL" : rng.Next(-20, 20).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string D() => rng.Next(8) == 0 ? "NULL" : (rng.Next(-40, 40) / 4.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        string S() => rng.Next(8) == 0 ? "NULL" : $"'{"abcde"[rng.Next(5)]}{(rng.Next(2) == 0 ? "x" : "")}'";
        var rows = Enumerable.Range(0, 3000).Select(_ => $"({I()}, {D()}, {S()})");
        _session.Execute($"CREATE DATASET t AS SELECT * FROM (VALUES {string.Join(", ", rows)}) v(i, d, s)");
    }

    public void Dispose() => _session.Dispose();

    private static readonly Gen<(string Constant, string Op, string Column, bool First)> Cases =
        from kind in Gen.Choose(0, 2)
        from op in kind == 2 ? Gen.Elements("=", "<>", "<", "<=", ">", ">=", "LIKE", "ILIKE", "NOT LIKE") : Gen.Elements("+", "-", "*", "/", "//", "%", "=", "<>", "<", ">=")
        from k in Gen.Choose(-5, 5)
        from first in Gen.Elements(true, false)
        from isNull in Gen.Choose(0, 9)
        let constant = kind switch { 0 => k.ToString(System.Globalization.CultureInfo.InvariantCulture), 1 => $"{k}.5", _ => new[] { "'a'", "'b%'", "'%x'", "'%c%'", "'A_'", "'%'" }[Math.Abs(k) % 6] }
        select (isNull == 0 ? $"CAST(NULL AS {(kind switch { 0 => "BIGINT", 1 => "DOUBLE", _ => "VARCHAR" })})" : constant, op, kind switch { 0 => "i", 1 => "d", _ => "s" }, first);

    [Fact]
    public void Constant_operands_equal_column_operands()
    {
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            string withConstant = c.First ? $"{c.Constant} {c.Op} {c.Column}" : $"{c.Column} {c.Op} {c.Constant}";
            string withColumn = c.First ? $"k {c.Op} {c.Column}" : $"{c.Column} {c.Op} k";
            var sql = $"SELECT count(*), count(*) FILTER (WHERE ({withConstant}) IS NOT DISTINCT FROM ({withColumn})) FROM (SELECT *, {c.Constant} AS k FROM t) x";
            var row = _session.Query(sql).Rows().Single();
            Assert.True(Equals(row[0], row[1]), $"{withConstant} differs from {withColumn} on {(long)row[0]! - (long)row[1]!} rows");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), property);
    }
}
