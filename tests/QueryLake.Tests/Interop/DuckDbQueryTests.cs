using DuckDB.NET.Data;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Interop;

/// <summary><c>duckdb_query(database, sql)</c>: DuckDB's result pulled into the lake over Arrow, checked against DuckDB's
/// own answers on the same database.</summary>
public sealed class DuckDbQueryTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _db;

    public DuckDbQueryTests()
    {
        _db = _dir.File("warehouse.duckdb");
        using var duck = new DuckDBConnection($"Data Source={_db}");
        duck.Open();
        using var c = duck.CreateCommand();
        c.CommandText = """
            CREATE TABLE trips AS SELECT i AS id, 'city ' || (i % 17) AS city, (i * 3.25)::DECIMAL(12, 2) AS fare,
                DATE '2024-01-01' + (i % 366)::INTEGER AS day, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) SECOND AS at,
                CASE WHEN i % 5 = 0 THEN NULL ELSE [i, i + 1] END AS legs, {'a': i, 'b': 'x' || i} AS meta
            FROM range(50000) t(i)
            """;
        c.ExecuteNonQuery();
    }

    public void Dispose() => _dir.Dispose();

    private string DuckScalar(string sql)
    {
        using var duck = new DuckDBConnection($"Data Source={_db};ACCESS_MODE=READ_ONLY");
        duck.Open();
        using var c = duck.CreateCommand();
        c.CommandText = sql;
        return Convert.ToString(c.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private static string Text(object? v) => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!;

    [Fact]
    public void A_duckdb_result_reads_as_a_relation_and_lands_in_a_dataset_with_the_same_values()
    {
        using var s = QueryLakeSession.Open(_dir.File("lake"));
        var q = $"duckdb_query('{_db}', 'SELECT * FROM trips')";
        Assert.Equal(DuckScalar("SELECT count(*) FROM trips"), Text(s.Query($"SELECT count(*) FROM {q}").Rows().Single()[0]));
        Assert.Equal(decimal.Parse(DuckScalar("SELECT sum(fare) FROM trips"), System.Globalization.CultureInfo.InvariantCulture), (decimal)s.Query($"SELECT sum(fare) FROM {q}").Rows().Single()[0]!);
        Assert.Equal(DuckScalar("SELECT count(legs) FROM trips"), Text(s.Query($"SELECT count(legs) FROM {q}").Rows().Single()[0]));
        Assert.Equal(DuckScalar("SELECT sum(len(legs)) FROM trips"), Text(s.Query($"SELECT sum(list_length(legs)) FROM {q}").Rows().Single()[0]));
        s.Execute($"CREATE DATASET trips AS SELECT * FROM {q}");
        Assert.Equal(DuckScalar("SELECT string_agg(city || '/' || day || '/' || \"at\" || '/' || meta.b, ',' ORDER BY id) FROM trips WHERE id % 997 = 0"),
            Text(s.Query("SELECT string_agg(city || '/' || CAST(day AS VARCHAR) || '/' || CAST(at AS VARCHAR) || '/' || meta.b, ',' ORDER BY id) FROM trips WHERE id % 997 = 0").Rows().Single()[0]));
        Assert.Equal(DuckScalar("SELECT count(DISTINCT city) FROM trips"), Text(s.Query("SELECT count(DISTINCT city) FROM trips").Rows().Single()[0]));
        // An in-memory DuckDB, and a self-join: each scan runs the query.
        Assert.Equal(5050L, s.Query("SELECT sum(i) FROM duckdb_query(':memory:', 'SELECT range AS i FROM range(101)')").Rows().Single()[0]);
        Assert.Equal(10L, s.Query("SELECT count(*) FROM duckdb_query(':memory:', 'SELECT range AS i FROM range(10)') a JOIN duckdb_query(':memory:', 'SELECT range AS i FROM range(10)') b USING (i)").Rows().Single()[0]);
    }

    [Fact]
    public void A_duckdb_arrow_stream_registered_with_copy_reads_whole()
    {
        // DuckDB.NET frees a chunk when the next is read: registered with copy, every batch survives the join's build.
        using var s = QueryLakeSession.Open(_dir.File("lake"));
        using var duck = new DuckDBConnection($"Data Source={_db};ACCESS_MODE=READ_ONLY");
        duck.Open();
        using var c = duck.CreateCommand();
        c.CommandText = "SELECT id, city FROM trips";
        s.Register("fromduck", c.ExecuteArrowStream(), copy: true);
        Assert.Equal(DuckScalar("SELECT sum(id) FILTER (WHERE city = 'city 3') FROM trips"),
            Text(s.Query("SELECT sum(id) FILTER (WHERE city = 'city 3') FROM fromduck").Rows().Single()[0]));
    }

    [Fact]
    public void Errors_name_what_is_wrong_and_confinement_holds_inside_duckdb()
    {
        using var s = QueryLakeSession.Open(_dir.File("lake"));
        var e = Assert.ThrowsAny<QueryLakeException>(() => s.Query($"SELECT * FROM duckdb_query('{_db}', 'SELECT nope FROM trips')").Rows().ToList());
        Assert.Equal("QL-DUCKDB", e.Code);
        Assert.Contains("nope", e.Message);
        Assert.Equal("QL-FILE-NOT-FOUND", Assert.ThrowsAny<QueryLakeException>(() => s.Query("SELECT * FROM duckdb_query('/nowhere/x.duckdb', 'SELECT 1')").Rows().ToList()).Code);
        Assert.Equal("QL-UNSUPPORTED-TYPE", Assert.ThrowsAny<QueryLakeException>(() => s.Query("SELECT * FROM duckdb_query(':memory:', 'SELECT TIME ''10:00:00'' AS t')").Rows().ToList()).Code);
        // The database file is opened read-only: DuckDB cannot change it.
        Assert.Equal("QL-DUCKDB", Assert.ThrowsAny<QueryLakeException>(() => s.Query($"SELECT * FROM duckdb_query('{_db}', 'DELETE FROM trips RETURNING id')").Rows().ToList()).Code);
        var outside = _dir.File("secret.csv");
        File.WriteAllText(outside, "a\n1\n");
        Assert.Equal(1L, s.Query($"SELECT count(*) FROM duckdb_query(':memory:', 'SELECT * FROM read_csv(''{outside}'')')").Rows().Single()[0]);
        // With external access off, neither the session nor DuckDB reads files outside the lake.
        s.FileAccess.Configure(externalAccess: false);
        Assert.Equal("QL-DUCKDB", Assert.ThrowsAny<QueryLakeException>(() => s.Query($"SELECT count(*) FROM duckdb_query(':memory:', 'SELECT * FROM read_csv(''{outside}'')')").Rows().ToList()).Code);
        Assert.Equal("QL-ACCESS-DENIED", Assert.ThrowsAny<QueryLakeException>(() => s.Query($"SELECT * FROM duckdb_query('{_db}', 'SELECT 1')").Rows().ToList()).Code);
    }
}
