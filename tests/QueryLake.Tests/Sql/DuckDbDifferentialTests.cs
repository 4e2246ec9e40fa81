using System.Globalization;
using DuckDB.NET.Data;
using QueryLake.Errors;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Sql;

/// <summary>
/// Runs the same queries on QueryLake and on DuckDB over real data neither wrote (vega-datasets: flights,
/// Seattle weather, cars, airports) and compares the results value by value. Queries with ORDER BY compare
/// in order; the others as multisets. A query that fails in DuckDB must fail in QueryLake too.
/// </summary>
public sealed class DuckDbDifferentialTests : IClassFixture<DuckDbDifferentialTests.Fixture>
{
    public sealed class Fixture : IDisposable
    {
        public TempDir Dir { get; } = new();
        public QueryLakeSession Session { get; }

        /// <summary>DuckDB's result for each query: its rows (values as <see cref="Canonical(object?)"/> gives them), or its error.</summary>
        public Dictionary<string, (List<List<object?>>? Rows, string? Error)> DuckDb { get; } = [];

        public Fixture()
        {
            // DuckDB (in process) loads real data nobody here made; Apache.Arrow (C#) writes each table to an Arrow file
            // from DuckDB's Arrow export, so QueryLake reads exactly the same rows.
            using (var duck = DuckDbOracle.Open())
            {
                LoadFlights(duck, Oracles.VegaData("flights-200k.arrow"));
                Execute(duck, $"CREATE TABLE weather AS SELECT * FROM read_csv('{Oracles.VegaData("seattle-weather.csv")}')");
                Execute(duck, $"CREATE TABLE cars AS SELECT * FROM read_json('{Oracles.VegaData("cars.json")}')");
                Execute(duck, $"CREATE TABLE airports AS SELECT * FROM read_csv('{Oracles.VegaData("airports.csv")}')");
                foreach (var t in Tables) Export(duck, t, Dir.File(t + ".arrow"));
                foreach (var q in Queries.Select(Sql)) DuckDb[q] = Run(duck, q);
            }
            Session = QueryLakeSession.Open(Dir.File("lake"));
            foreach (var t in Tables)
                Session.Execute($"CREATE DATASET {t} AS SELECT * FROM '{Dir.File(t + ".arrow")}'");
        }

        private static readonly string[] Tables = ["flights", "weather", "cars", "airports"];

        // DuckDB reads no Arrow files without an extension, so Apache.Arrow reads flights-200k.arrow and DuckDB's appender takes the rows.
        private static void LoadFlights(DuckDBConnection duck, string path)
        {
            Execute(duck, "CREATE TABLE flights (delay SMALLINT, distance SMALLINT, time FLOAT)");
            using var stream = File.OpenRead(path);
            using var reader = new Apache.Arrow.Ipc.ArrowFileReader(stream);
            using var appender = duck.CreateAppender("flights");
            while (reader.ReadNextRecordBatch() is { } batch)
            {
                var delay = (Apache.Arrow.Int16Array)batch.Column("delay");
                var distance = (Apache.Arrow.Int16Array)batch.Column("distance");
                var time = (Apache.Arrow.FloatArray)batch.Column("time");
                for (int i = 0; i < batch.Length; i++)
                    appender.CreateRow().AppendValue(delay.GetValue(i)).AppendValue(distance.GetValue(i)).AppendValue(time.GetValue(i)).EndRow();
            }
        }

        private static void Export(DuckDBConnection duck, string table, string path)
        {
            using var cmd = duck.CreateCommand();
            cmd.CommandText = $"SELECT * FROM {table}";
            using var arrow = cmd.ExecuteArrowStream();
            using var file = File.Create(path);
            using var writer = new Apache.Arrow.Ipc.ArrowFileWriter(file, arrow.Schema);
            writer.WriteStart();
            while (arrow.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult() is { } batch)
                using (batch) writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }

        private static void Execute(DuckDBConnection duck, string sql) => DuckDbOracle.Execute(duck, sql);

        private static (List<List<object?>>?, string?) Run(DuckDBConnection duck, string sql)
        {
            try
            {
                var rows = DuckDbOracle.Rows(duck, sql, (reader, c) => reader.GetDataTypeName(c).Equals("Date", StringComparison.OrdinalIgnoreCase)
                    ? Canonical(reader.GetFieldValue<DateOnly>(c)) : Canonical(reader.GetValue(c)));
                return (rows.Select(r => r.ToList()).ToList(), null);
            }
            catch (DuckDBException e)
            {
                return (null, e.Message);
            }
        }

        public void Dispose()
        {
            Session.Dispose();
            Dir.Dispose();
        }
    }

    private readonly Fixture _f;

    public DuckDbDifferentialTests(Fixture f) => _f = f;

    public static readonly string[] Queries =
    [
        "SELECT count(*), sum(delay), avg(delay), min(delay), max(delay), min(time), max(time) FROM flights",
        "SELECT count(*) FROM flights WHERE delay > 60 AND distance < 500",
        "SELECT count(*) FROM flights WHERE delay BETWEEN -5 AND 5 OR distance IN (300, 400, 500)",
        "SELECT distance // 250 AS bucket, count(*), avg(delay), min(time) FROM flights GROUP BY 1 ORDER BY bucket",
        "SELECT delay, count(*) AS n FROM flights GROUP BY delay HAVING count(*) > 3000 ORDER BY n DESC, delay",
        "SELECT count(DISTINCT delay), count(DISTINCT distance) FROM flights",
        // DISTINCT with constant arguments after the first (a separator, a quantile).
        "SELECT origin, length(string_agg(DISTINCT destination, '|')), quantile_cont(DISTINCT delay, 0.9), count(DISTINCT destination) FROM flights GROUP BY origin ORDER BY origin",
        "SELECT delay, distance, time FROM flights ORDER BY delay DESC, distance DESC, time DESC LIMIT 10",
        "SELECT delay, distance FROM flights ORDER BY distance, delay LIMIT 5 OFFSET 100",
        "SELECT CASE WHEN delay < 0 THEN 'early' WHEN delay < 15 THEN 'on time' ELSE 'late' END AS status, count(*) FROM flights GROUP BY 1 ORDER BY 1",
        "SELECT sum(CASE WHEN delay > 30 THEN 1 ELSE 0 END), sum(distance * 2 + 1) FROM flights",
        "SELECT weather, count(*), round(avg(temp_max), 3), max(precipitation) FROM weather GROUP BY weather ORDER BY weather",
        "SELECT year(date) AS y, month(date) AS m, avg(temp_max) FROM weather GROUP BY ALL ORDER BY y, m",
        "SELECT date, temp_max FROM weather WHERE date >= '2015-06-01' AND date < '2015-06-08' ORDER BY date",
        "SELECT count(*) FROM weather WHERE weather LIKE 'r%' OR weather ILIKE 'SUN'",
        "SELECT weather, count(*) FROM weather WHERE weather NOT IN ('rain', 'sun') GROUP BY weather ORDER BY 2 DESC",
        "SELECT extract(year FROM date), count(*) FROM weather GROUP BY 1 ORDER BY 1",
        "SELECT Origin, count(*), avg(Horsepower), avg(Miles_per_Gallon) FROM cars GROUP BY Origin ORDER BY Origin",
        "SELECT count(*), count(Miles_per_Gallon), count(Horsepower) FROM cars",
        "SELECT Name FROM cars WHERE Miles_per_Gallon IS NULL ORDER BY Name",
        "SELECT Cylinders, coalesce(avg(Horsepower), -1) FROM cars GROUP BY Cylinders ORDER BY Cylinders",
        "SELECT upper(substr(Name, 1, 5)), length(Name) FROM cars ORDER BY Name LIMIT 5",
        "SELECT nullif(Cylinders, 4), count(*) FROM cars GROUP BY 1 ORDER BY 1 NULLS FIRST",
        "SELECT state, count(*) AS n FROM airports GROUP BY state ORDER BY n DESC, state LIMIT 5",
        "SELECT a.state, count(*) FROM airports a JOIN (SELECT state FROM airports GROUP BY state HAVING count(*) > 100) big ON a.state = big.state GROUP BY a.state ORDER BY 1",
        "SELECT count(*) FROM airports a LEFT JOIN airports b ON a.iata = b.iata AND b.state = 'CA'",
        // Text-keyed joins whose probe side spans several batches (probed in parallel).
        "SELECT a.state, count(*), sum(f.delay) FROM flights f JOIN airports a ON f.origin = a.iata GROUP BY 1 ORDER BY 1",
        "SELECT count(*), count(a.iata), sum(f.distance) FROM flights f LEFT JOIN airports a ON f.destination = a.iata AND a.state <> 'CA'",
        "SELECT a.city, b.city FROM airports a JOIN airports b ON a.city = b.city AND a.iata < b.iata WHERE a.state = 'AK' ORDER BY 1, 2",
        "SELECT state FROM airports WHERE country = 'USA' INTERSECT SELECT state FROM airports WHERE latitude > 45",
        "SELECT state FROM airports EXCEPT SELECT state FROM airports WHERE longitude > -100",
        "SELECT count(*) FROM (SELECT state FROM airports UNION SELECT weather FROM weather)",
        "SELECT count(*) FROM (SELECT state FROM airports UNION ALL SELECT weather FROM weather)",
        "WITH s AS (SELECT state, count(*) AS n FROM airports GROUP BY state) SELECT max(n), min(n) FROM s",
        "SELECT name FROM airports WHERE state = (SELECT state FROM airports GROUP BY state ORDER BY count(*) DESC LIMIT 1) AND latitude > 34 ORDER BY name LIMIT 5",
        "SELECT count(*) FROM airports WHERE state IN (SELECT DISTINCT state FROM airports WHERE latitude < 20)",
        "SELECT DISTINCT country FROM airports ORDER BY country",
        "SELECT 1 + 2 * 3, 7 / 2, 7 // 2, -7 // 2, 7 % 3, -7 % 2, 2.5 * 4, NULL + 1",
        "SELECT 1 / 0, -1 / 0, 1 // 0, 1 % 0",
        "SELECT NULL = NULL, NULL AND false, NULL OR true, NOT NULL, 1 IS DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL",
        "SELECT CAST('42' AS INTEGER) + 1, CAST(3.7 AS INTEGER), CAST(-2.5 AS BIGINT), TRY_CAST('x' AS INTEGER), CAST(1 AS VARCHAR) || 'a'",
        "SELECT 'a' < 'B', 'abc' LIKE 'a_c', 'abc' LIKE '%bc', 'a%c' LIKE 'a\\%c', 'a%c' LIKE 'a!%c' ESCAPE '!', 'abc' LIKE 'a!%c' ESCAPE '!'",
        "SELECT 9223372036854775807 + 1",
        "SELECT CAST('nope' AS INTEGER)",
        "SELECT * FROM (VALUES (1, 'a'), (2, NULL), (3, 'c')) t(x, y) WHERE y IS NOT NULL ORDER BY x",
        "SELECT weather, stddev(temp_max), stddev_pop(temp_max), variance(temp_min), var_pop(wind) FROM weather GROUP BY weather ORDER BY weather",
        "SELECT median(delay), median(distance), quantile_cont(delay, 0.9), quantile_disc(delay, 0.25), quantile(distance, 0.75) FROM flights",
        "SELECT Origin, median(Horsepower), quantile_cont(Weight_in_lbs, 0.1) FROM cars GROUP BY Origin ORDER BY Origin",
        "SELECT weather, length(string_agg(weather, '-')), count(*) FROM weather GROUP BY weather ORDER BY weather",
        "SELECT arg_max(date, temp_max), arg_min(date, temp_min), max(temp_max) FROM weather WHERE year(date) = 2013",
        "SELECT weather, bool_and(precipitation > 0), bool_or(temp_max > 30) FROM weather GROUP BY weather ORDER BY weather",
        "SELECT count(*) FILTER (WHERE delay > 0), sum(distance) FILTER (WHERE delay < 0), avg(delay) FILTER (WHERE distance > 1000) FROM flights",
        "SELECT stddev(x) FROM (VALUES (1.0)) t(x)",
        "SELECT date, weather, row_number() OVER (PARTITION BY weather ORDER BY date) AS rn, rank() OVER (ORDER BY temp_max DESC) AS r, dense_rank() OVER (ORDER BY weather) AS dr FROM weather ORDER BY date",
        "SELECT date, temp_max, lag(temp_max) OVER (ORDER BY date), lead(temp_max, 2, -1.0) OVER (ORDER BY date), ntile(7) OVER (ORDER BY date) FROM weather WHERE year(date) = 2014 ORDER BY date",
        "SELECT date, sum(precipitation) OVER (PARTITION BY year(date) ORDER BY date) AS running, avg(temp_max) OVER (ORDER BY date ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) AS smooth FROM weather ORDER BY date",
        "SELECT weather, count(*) OVER (PARTITION BY weather), max(wind) OVER (PARTITION BY weather), first_value(date) OVER (PARTITION BY weather ORDER BY date), last_value(date) OVER (PARTITION BY weather ORDER BY date ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM weather ORDER BY date",
        "SELECT weather, count(*) AS n, rank() OVER (ORDER BY count(*) DESC) FROM weather GROUP BY weather ORDER BY n DESC",
        "SELECT * FROM read_csv('$DATA/seattle-weather.csv') ORDER BY date",
        "SELECT country, count(*), avg(latitude) FROM '$DATA/airports.csv' GROUP BY country ORDER BY country",
        "SELECT Name, Miles_per_Gallon, Cylinders, Year FROM read_json('$DATA/cars.json') ORDER BY Name, Year, Miles_per_Gallon NULLS FIRST",
        "SELECT * FROM read_csv('$DATA/stocks.csv') WHERE symbol = 'AAPL' ORDER BY date",
        // flights-3m.parquet (written by Polars): 11 row groups, dictionary-encoded, ZSTD.
        "SELECT count(*), sum(delay), avg(delay), min(date), max(date), sum(distance), count(DISTINCT destination) FROM '$DATA/flights-3m.parquet'",
        "SELECT origin, count(*), avg(delay), max(distance) FROM read_parquet('$DATA/flights-3m.parquet') GROUP BY origin ORDER BY count(*) DESC, origin LIMIT 20",
        "SELECT count(*), avg(distance), min(date) FROM '$DATA/flights-3m.parquet' WHERE delay > 60 AND origin = 'LAX'",
        // A sparse filter on text: the other columns are decoded for the kept rows only (late materialization).
        "SELECT date, delay, distance, destination FROM '$DATA/flights-3m.parquet' WHERE origin = 'SFO' AND destination IN ('JFK', 'BOS') ORDER BY date, delay, distance, destination",
        "SELECT date_trunc('month', date) AS m, count(*), sum(delay), sum(CASE WHEN delay > 15 THEN 1 ELSE 0 END) FROM '$DATA/flights-3m.parquet' GROUP BY 1 ORDER BY 1",
        "SELECT destination, count(DISTINCT origin), median(delay) FROM '$DATA/flights-3m.parquet' GROUP BY destination ORDER BY destination",
        "SELECT * FROM '$DATA/flights-3m.parquet' WHERE date >= TIMESTAMP '2001-06-30 23:00:00' ORDER BY date, origin, destination, delay, distance",
        "SELECT name, (SELECT count(*) FROM airports b WHERE b.state = a.state) FROM airports a WHERE a.state = 'WY' ORDER BY name",
        "SELECT count(*) FROM airports a WHERE EXISTS (SELECT 1 FROM airports b WHERE b.city = a.city AND b.iata <> a.iata)",
        "SELECT state, count(*) FROM airports a WHERE latitude > (SELECT avg(latitude) FROM airports b WHERE b.state = a.state) GROUP BY state ORDER BY state",
        "SELECT count(*) FROM airports a WHERE a.iata NOT IN (SELECT b.iata FROM airports b WHERE b.state = a.state AND b.latitude < a.latitude)",
        "SELECT weather, (SELECT max(temp_max) FROM weather w2 WHERE w2.weather = w1.weather AND year(w2.date) = 2012) AS hottest FROM weather w1 GROUP BY weather ORDER BY weather",
        // Lists and structs as text, as DuckDB writes them: strings bare unless they could read as something else.
        "SELECT CAST(['', ' a', 'a b', 'NULL', 'a,b', 'a:b', 'a[b', 'x''y', 'a(b', 'a=b', NULL] AS VARCHAR), CAST({'k': '', 'a b': 1.5, 'n': [[1, 2], [3]]} AS VARCHAR), CAST([2.0::DOUBLE, 1.50::DECIMAL(4, 2)] AS VARCHAR), CAST([DATE '2024-01-02'] AS VARCHAR), CAST([true, NULL] AS VARCHAR)",
        "SELECT CAST([weather, CAST(date AS VARCHAR)] AS VARCHAR), CAST({'w': weather, 't': temp_max} AS VARCHAR) FROM weather ORDER BY date LIMIT 5",
        "SELECT weather, sum(octet_length(CAST(weather || 'x' AS BLOB))), octet_length(CAST('' AS BLOB)) FROM weather GROUP BY weather ORDER BY weather",
    ];

    /// <summary>The query with $DATA replaced by the vega-datasets folder, the same for both engines.</summary>
    public static string Sql(string q) => q.Replace("$DATA", Path.GetDirectoryName(Oracles.VegaData("cars.json"))!, StringComparison.Ordinal);

    public static TheoryData<int> Indexes() => new(Enumerable.Range(0, Queries.Length));

    [Theory]
    [MemberData(nameof(Indexes))]
    public void Same_results_as_DuckDB(int index)
    {
        var sql = Sql(Queries[index]);
        var (expected, error) = _f.DuckDb[sql];
        if (error is not null)
        {
            var e = Assert.ThrowsAny<QueryLakeException>(() => _f.Session.Query(sql));
            Assert.False(string.IsNullOrEmpty(e.Message), $"DuckDB failed with {error}; QueryLake must fail too");
            return;
        }
        var ours = _f.Session.Query(sql).Rows().Select(r => r.Select(Canonical).ToList()).ToList();
        var theirs = expected!;
        Assert.True(theirs.Count == ours.Count, $"{sql}\nDuckDB returned {theirs.Count} rows, QueryLake {ours.Count}\nDuckDB: {Show(theirs.Take(5))}\nQueryLake: {Show(ours.Take(5))}");
        if (!sql.Contains("ORDER BY", StringComparison.Ordinal))
        {
            ours = ours.OrderBy(Show, StringComparer.Ordinal).ToList();
            theirs = theirs.OrderBy(Show, StringComparer.Ordinal).ToList();
        }
        for (int r = 0; r < ours.Count; r++)
        {
            Assert.True(ours[r].Count == theirs[r].Count, $"{sql}: row {r} has {ours[r].Count} columns, DuckDB {theirs[r].Count}");
            for (int c = 0; c < ours[r].Count; c++)
                Assert.True(Same(theirs[r][c], ours[r][c]), $"{sql}\nrow {r}, column {c}: DuckDB {Show([theirs[r]])}, QueryLake {Show([ours[r]])}");
        }
    }

    private static string Show(IEnumerable<List<object?>> rows) => string.Join("; ", rows.Select(Show));
    private static string Show(List<object?> row) => string.Join(" | ", row.Select(v => v switch { null => "NULL", double d => d.ToString("R", CultureInfo.InvariantCulture), _ => v.ToString() }));

    /// <summary>Numbers become double (ints stay exact as decimal), dates yyyy-MM-dd, timestamps as DuckDB prints them, the rest as is.</summary>
    private static object? Canonical(object? v) => v switch
    {
        null => null,
        long or int or short or sbyte or byte or ushort or uint or ulong => Convert.ToDecimal(v, CultureInfo.InvariantCulture),
        System.Numerics.BigInteger i => (decimal)i,
        double d => d,
        float f => (double)f,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString(t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        _ => v,
    };

    private static bool Same(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        double? x = a switch { double d => d, decimal m => (double)m, _ => null };
        double? y = b switch { double d => d, decimal m => (double)m, _ => null };
        if (x is { } p && y is { } q)
        {
            if (double.IsNaN(p) || double.IsNaN(q)) return double.IsNaN(p) && double.IsNaN(q);
            if (double.IsInfinity(p) || double.IsInfinity(q)) return p == q;
            return Math.Abs(p - q) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(p), Math.Abs(q)));
        }
        return Equals(a, b);
    }
}
