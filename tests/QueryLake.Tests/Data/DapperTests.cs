using System.Data;
using System.Data.Common;
using Dapper;
using QueryLake.Data;
using QueryLake.Errors;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Data;

/// <summary>The ADO.NET provider driven by Dapper, a real ADO.NET client nobody here wrote: mapping to classes and
/// records, parameters (vectors and blobs included), async calls and DbProviderFactories registration.</summary>
public sealed class DapperTests
{
    public sealed class Scene
    {
        public long Id { get; set; }
        public string? Lighting { get; set; }
        public double Brightness { get; set; }
        public DateTime Taken { get; set; }
    }

    public sealed record SceneRecord(long Id, string? Lighting, double Brightness);

    /// <summary>Dapper expands every IEnumerable parameter into a list (for IN); a type handler makes float[] one
    /// vector value, as with any vector type in Dapper.</summary>
    private sealed class VectorHandler : SqlMapper.TypeHandler<float[]>
    {
        public override void SetValue(IDbDataParameter parameter, float[]? value) => parameter.Value = value;

        public override float[] Parse(object value) => (float[])value;
    }

    /// <summary>Dapper refuses a parameter type it does not know (NotSupportedException) unless a handler is registered,
    /// as pgvector's Vector needs with Npgsql; the handler passes the QueryLakeVector through to the provider.</summary>
    private sealed class QueryLakeVectorHandler : SqlMapper.TypeHandler<QueryLakeVector>
    {
        public override void SetValue(IDbDataParameter parameter, QueryLakeVector? value) => parameter.Value = value;

        public override QueryLakeVector Parse(object value) => new((float[])value);
    }

    static DapperTests()
    {
        SqlMapper.AddTypeHandler(new VectorHandler());
        SqlMapper.AddTypeHandler(new QueryLakeVectorHandler());
    }

    private static QueryLakeConnection Open(string? dir = null)
    {
        var c = new QueryLakeConnection($"Data Source={dir ?? ":memory:"}");
        c.Open();
        c.Execute("CREATE DATASET scenes (id BIGINT NOT NULL, lighting VARCHAR, brightness DOUBLE, taken DATE, emb EMBEDDING(3), image BLOB)");
        return c;
    }

    [Fact]
    public void Queries_map_to_classes_and_records()
    {
        using var c = Open();
        int n = c.Execute("INSERT INTO scenes (id, lighting, brightness, taken) VALUES (@Id, @Lighting, @Brightness, @Taken)", new[]
        {
            new Scene { Id = 1, Lighting = "day", Brightness = 0.9, Taken = new DateTime(2026, 1, 1) },
            new Scene { Id = 2, Lighting = "night", Brightness = 0.1, Taken = new DateTime(2026, 1, 2) },
            new Scene { Id = 3, Lighting = null, Brightness = 0.5, Taken = new DateTime(2026, 1, 3) },
        });
        Assert.Equal(3, n);
        var scenes = c.Query<Scene>("SELECT id, lighting, brightness, taken FROM scenes WHERE brightness > @min ORDER BY id", new { min = 0.2 }).ToList();
        Assert.Equal([1L, 3L], scenes.Select(s => s.Id));
        Assert.Equal("day", scenes[0].Lighting);
        Assert.Null(scenes[1].Lighting);
        Assert.Equal(new DateTime(2026, 1, 3), scenes[1].Taken);
        var records = c.Query<SceneRecord>("SELECT id, lighting, brightness FROM scenes ORDER BY id DESC").ToList();
        Assert.Equal(new SceneRecord(3, null, 0.5), records[0]);
        Assert.Equal(2L, c.ExecuteScalar<long>("SELECT count(*) FROM scenes WHERE lighting IS NOT NULL"));
        Assert.Equal("night", c.QuerySingle<string>("SELECT lighting FROM scenes WHERE id = $id", new { id = 2 }));
    }

    [Fact]
    public async Task Async_calls_do_not_block_and_return_the_same_rows()
    {
        using var c = Open();
        await c.ExecuteAsync("INSERT INTO scenes (id, lighting) VALUES (1, 'dusk'), (2, 'dawn')");
        var rows = (await c.QueryAsync<SceneRecord>("SELECT id, lighting, 0.0 AS brightness FROM scenes ORDER BY id")).ToList();
        Assert.Equal("dawn", rows[1].Lighting);
        Assert.Equal(2L, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM scenes"));
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id FROM scenes ORDER BY id";
        await using var reader = await cmd.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        Assert.Equal([1L, 2L], ids);
    }

    [Fact]
    public void Vector_and_blob_parameters_round_trip()
    {
        using var c = Open();
        var jpeg = File.ReadAllBytes(Directory.EnumerateFiles(Path.GetDirectoryName(Oracles.VegaData("cars.json"))!, "*.png", SearchOption.AllDirectories).FirstOrDefault()
            ?? Oracles.VegaData("cars.json"));
        c.Execute("INSERT INTO scenes (id, emb, image) VALUES (@id, @emb, @image)", new { id = 1L, emb = new float[] { 0.5f, -1f, 2f }, image = jpeg });
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "INSERT INTO scenes (id, emb, image) VALUES (?, ?, ?)";
            cmd.Parameters.Add(new QueryLakeParameter { Value = 2L });
            cmd.Parameters.Add(new QueryLakeParameter { Value = new ReadOnlyMemory<float>([1f, 2f, 3f]) });
            cmd.Parameters.Add(new QueryLakeParameter { Value = new MemoryStream(jpeg) });
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }
        var embs = c.Query<float[]>("SELECT emb FROM scenes ORDER BY id").ToList();
        Assert.Equal([0.5f, -1f, 2f], embs[0]);
        Assert.Equal([1f, 2f, 3f], embs[1]);
        Assert.Equal(jpeg, c.QuerySingle<byte[]>("SELECT image FROM scenes WHERE id = 2"));
        using var reader = c.CreateCommand() is var q && (q.CommandText = "SELECT image, emb FROM scenes WHERE id = 1") is not null ? q.ExecuteReader() : null!;
        Assert.True(reader.Read());
        using var stream = reader.GetStream(0);
        Assert.Equal(jpeg.Length, stream.Length);
        var head = new byte[8];
        Assert.Equal(8, stream.Read(head));
        Assert.Equal(jpeg[..8], head);
        Assert.Equal([0.5f, -1f, 2f], reader.GetFieldValue<float[]>(1));
        Assert.Equal([0.5, -1.0, 2.0], reader.GetFieldValue<double[]>(1));
        Assert.Equal(typeof(float[]), reader.GetFieldType(1));
    }

    [Fact]
    public void A_QueryLakeVector_is_one_value_and_an_expanded_list_is_a_clear_error()
    {
        using var c = Open();
        c.Execute("INSERT INTO scenes (id, emb) VALUES (1, [1.0, 0.0, 0.0]), (2, [0.0, 1.0, 0.0]), (3, [0.7, 0.7, 0.0])");
        // A QueryLakeVector travels as one EMBEDDING value, through Dapper or plain ADO.NET.
        var probe = new QueryLakeVector([0.6f, 0.8f, 0f]);
        Assert.Equal([3L, 2L, 1L], c.Query<long>("SELECT id FROM scenes ORDER BY cosine_similarity(emb, @probe) DESC", new { probe }).ToList());
        c.Execute("INSERT INTO scenes (id, emb) VALUES (@id, @emb)", new { id = 4L, emb = (QueryLakeVector)new[] { 0f, 0f, 1f } });
        Assert.Equal([0f, 0f, 1f], c.QuerySingle<float[]>("SELECT emb FROM scenes WHERE id = 4"));
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT id FROM scenes ORDER BY cosine_similarity(emb, $probe) DESC LIMIT 1";
            cmd.Parameters.Add(new QueryLakeParameter { ParameterName = "probe", Value = new QueryLakeVector(new ReadOnlyMemory<float>([0f, 0.1f, 1f])) });
            Assert.Equal(4L, cmd.ExecuteScalar());
        }
        // A list Dapper expands into (@v1, @v2, @v3) is named as such, not as an unknown function row().
        var e = Assert.ThrowsAny<QueryLakeException>(() => c.Query<long>("SELECT id FROM scenes ORDER BY cosine_similarity(emb, @v) DESC", new { v = new List<double> { 1, 0, 0 } }).ToList());
        Assert.Equal("QL-EXPANDED-PARAMETER", e.Code);
        Assert.Contains("@v reached QueryLake as 3 separate parameters", e.Message);
        Assert.Contains("QueryLakeVector", e.Message);
    }

    [Fact]
    public void The_factory_registers_and_creates_everything()
    {
        DbProviderFactories.RegisterFactory("QueryLake.Data", QueryLakeFactory.Instance);
        var factory = DbProviderFactories.GetFactory("QueryLake.Data");
        Assert.Same(QueryLakeFactory.Instance, factory);
        using var c = factory.CreateConnection()!;
        c.ConnectionString = "Data Source=:memory:;Threads=2;Memory Limit=256MB;Command Timeout=5";
        c.Open();
        Assert.Equal(ConnectionState.Open, c.State);
        Assert.Equal(42L, c.ExecuteScalar<long>("SELECT 40 + 2"));
        Assert.Null(factory.CreateDataAdapter());
        Assert.Null(factory.CreateCommandBuilder());
        Assert.IsType<QueryLakeConnectionStringBuilder>(factory.CreateConnectionStringBuilder());
        using var source = factory.CreateDataSource("Data Source=:memory:");
        using var c2 = source.OpenConnection();
        Assert.Equal(1L, c2.ExecuteScalar<long>("SELECT 1"));
        var b = new QueryLakeConnectionStringBuilder("data source=/tmp/lake; mode=readonly; memory limit=4GB; threads=3; command timeout=0");
        Assert.Equal("/tmp/lake", b.DataSource);
        Assert.Equal(QueryLakeMode.ReadOnly, b.Mode);
        Assert.Equal(4L << 30, b.MemoryLimit);
        Assert.Equal(3, b.Threads);
        Assert.Equal(0, b.CommandTimeout);
        var e = Assert.Throws<ArgumentException>(() => new QueryLakeConnectionStringBuilder("Server=x"));
        Assert.Contains("unknown connection string key 'server'", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Multi_statement_commands_give_one_result_set_per_query()
    {
        using var c = Open();
        using var multi = c.QueryMultiple("INSERT INTO scenes (id) VALUES (1), (2); SELECT count(*) AS n FROM scenes; SELECT id FROM scenes ORDER BY id");
        Assert.Equal(2L, multi.ReadSingle<long>());
        Assert.Equal([1L, 2L], multi.Read<long>());
        using var batch = c.CreateBatch();
        batch.BatchCommands.Add(new QueryLakeBatchCommand("INSERT INTO scenes (id) VALUES (3)"));
        var second = new QueryLakeBatchCommand("SELECT id FROM scenes WHERE id > @min ORDER BY id");
        second.Parameters.AddWithValue("min", 1L);
        batch.BatchCommands.Add(second);
        using var r = batch.ExecuteReader();
        var ids = new List<long>();
        while (r.Read()) ids.Add(r.GetInt64(0));
        Assert.Equal([2L, 3L], ids);
        Assert.Equal(1, batch.BatchCommands[0].RecordsAffected);
    }

    [Fact]
    public void Transactions_commit_or_roll_back_several_statements()
    {
        using var dir = new TempDir();
        using var c = Open(dir.Path);
        using (var tx = c.BeginTransaction())
        {
            c.Execute("INSERT INTO scenes (id) VALUES (1), (2)", transaction: tx);
            c.Execute("CREATE DATASET extra AS SELECT 1 AS x", transaction: tx);
            c.Execute("DELETE FROM scenes WHERE id = 1", transaction: tx);
            tx.Rollback();
        }
        Assert.Equal(0L, c.ExecuteScalar<long>("SELECT count(*) FROM scenes"));
        Assert.DoesNotContain("extra", c.Session.Lake.ListDatasets());
        using (var tx = c.BeginTransaction())
        {
            c.Execute("INSERT INTO scenes (id) VALUES (7)", transaction: tx);
            tx.Commit();
        }
        Assert.Equal(7L, c.ExecuteScalar<long>("SELECT id FROM scenes"));
        // Another connection sees a transaction's changes only once it commits.
        using (var other = new QueryLakeConnection($"Data Source={dir.Path}"))
        using (var tx = c.BeginTransaction())
        {
            other.Open();
            c.Execute("INSERT INTO scenes (id) VALUES (8)", transaction: tx);
            Assert.Equal(2L, c.ExecuteScalar<long>("SELECT count(*) FROM scenes", transaction: tx));
            Assert.Equal(1L, other.ExecuteScalar<long>("SELECT count(*) FROM scenes"));
            tx.Commit();
            Assert.Equal(2L, other.ExecuteScalar<long>("SELECT count(*) FROM scenes"));
        }
        using (var tx = c.BeginTransaction())
        {
            var e = Assert.ThrowsAny<QueryLakeException>(() => c.Execute("DROP DATASET scenes", transaction: tx));
            Assert.Equal("QL-TRANSACTION", e.Code);
        }
    }

    [Fact]
    public void Errors_are_QueryLakeExceptions_with_stable_codes()
    {
        using var dir = new TempDir();
        using (Open(dir.Path)) { }
        using var ro = new QueryLakeConnection($"Data Source={dir.Path};Mode=ReadOnly");
        ro.Open();
        Assert.Equal(0L, ro.ExecuteScalar<long>("SELECT count(*) FROM scenes"));
        var e = Assert.ThrowsAny<QueryLakeException>(() => ro.Execute("INSERT INTO scenes (id) VALUES (1)"));
        Assert.Equal("QL-READ-ONLY", e.Code);
        Assert.Equal("QL-READ-ONLY", e.SqlState);
        DbException db = Assert.ThrowsAny<DbException>(() => ro.Query("SELEC 1"));
        Assert.Contains("1:1", db.Message);
        e = Assert.ThrowsAny<QueryLakeException>(() => ro.Query("SELECT * FROM scene"));
        Assert.Equal("QL-DATASET-NOT-FOUND", e.Code);
        Assert.Contains("scenes", e.Message);
        e = Assert.ThrowsAny<QueryLakeException>(() => ro.Query("SELECT @missing"));
        Assert.Equal("QL-MISSING-PARAMETER", e.Code);
    }

    [Fact]
    public void Schema_tables_and_column_schemas_describe_the_result()
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, lighting, emb, taken FROM scenes";
        using var r = cmd.ExecuteReader();
        var cols = r.GetColumnSchema();
        Assert.Equal(["id", "lighting", "emb", "taken"], cols.Select(x => x.ColumnName));
        Assert.Equal([typeof(long), typeof(string), typeof(float[]), typeof(DateTime)], cols.Select(x => x.DataType));
        Assert.True(cols[1].AllowDBNull);
        var table = r.GetSchemaTable();
        Assert.Equal(4, table.Rows.Count);
        Assert.Equal("lighting", table.Rows[1]["ColumnName"]);
        Assert.Equal(typeof(string), table.Rows[1]["DataType"]);
        Assert.False(r.HasRows);
    }

    [Theory]
    [InlineData("SELECT id FROM scenes", false)]
    [InlineData("SELECT lighting FROM scenes", true)]
    [InlineData("SELECT id * 2 + 1 AS x FROM scenes", false)]
    [InlineData("SELECT id + brightness AS x FROM scenes", true)]
    [InlineData("SELECT coalesce(lighting, 'none') AS x FROM scenes", false)]
    [InlineData("SELECT lighting IS NULL AS x FROM scenes", false)]
    [InlineData("SELECT CASE WHEN id > 1 THEN 'a' END AS x FROM scenes", true)]
    [InlineData("SELECT CASE WHEN id > 1 THEN 'a' ELSE 'b' END AS x FROM scenes", false)]
    [InlineData("SELECT TRY_CAST(id AS VARCHAR) AS x FROM scenes", true)]
    [InlineData("SELECT CAST(id AS VARCHAR) AS x FROM scenes", false)]
    [InlineData("SELECT count(*) AS x FROM scenes", false)]
    [InlineData("SELECT max(id) AS x FROM scenes", true)]
    [InlineData("SELECT id AS x, count(*) FROM scenes GROUP BY id", false)]
    [InlineData("SELECT b.id AS x FROM scenes a LEFT JOIN scenes b ON a.id = b.id + 1", true)]
    [InlineData("SELECT a.id AS x FROM scenes a LEFT JOIN scenes b ON a.id = b.id + 1", false)]
    [InlineData("SELECT a.id AS x FROM scenes a FULL JOIN scenes b ON a.id = b.id + 1", true)]
    [InlineData("SELECT id AS x FROM scenes UNION ALL SELECT NULL", true)]
    [InlineData("SELECT id AS x FROM scenes UNION SELECT 7", false)]
    [InlineData("SELECT row_number() OVER (ORDER BY id) AS x FROM scenes", false)]
    [InlineData("SELECT lag(id) OVER (ORDER BY id) AS x FROM scenes", true)]
    [InlineData("SELECT (SELECT max(id) FROM scenes WHERE id > 100) AS x", true)]
    [InlineData("SELECT id AS x FROM scenes WHERE id IN (SELECT id FROM scenes WHERE lighting IS NULL)", false)]
    [InlineData("SELECT 1 AS x", false)]
    public void Column_schema_reports_nullability_the_plan_can_prove(string sql, bool allowsNull)
    {
        using var c = Open();
        c.Execute("INSERT INTO scenes (id, lighting, brightness) VALUES (1, NULL, 0.5), (2, 'day', NULL), (3, 'night', 0.9)");
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var col = r.GetColumnSchema()[0];
        Assert.Equal(allowsNull, col.AllowDBNull);
        Assert.Equal(allowsNull, (bool)r.GetSchemaTable().Rows[0]["AllowDBNull"]);
        // What is reported NOT NULL holds no NULL.
        while (r.Read()) Assert.True(allowsNull || !r.IsDBNull(0), $"{sql}: NULL in a NOT NULL column");
    }

    [Fact]
    public void Created_from_a_query_drops_not_null_as_duckdb_does()
    {
        using var c = Open();
        c.Execute("CREATE DATASET copied AS SELECT id, id + 1 AS next FROM scenes");
        c.Execute("INSERT INTO copied VALUES (NULL, NULL)");
        Assert.Equal(1L, c.ExecuteScalar<long>("SELECT count(*) FROM copied WHERE id IS NULL"));
    }

    [Fact]
    public void Timeouts_and_cancel_stop_a_running_command()
    {
        using var c = Open();
        c.Execute("CREATE DATASET big AS SELECT * FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) v(x)");
        for (int i = 0; i < 11; i++) c.Execute("INSERT INTO big SELECT x + 10 * (SELECT count(*) FROM big) FROM big");
        // 20480 rows, each counting the rows below it: 4e8 comparisons, far longer than the timeout, in little memory.
        const string Slow = "SELECT sum((SELECT count(*) FROM big b WHERE b.x < a.x)) FROM big a";
        using var cmd = c.CreateCommand();
        cmd.CommandText = Slow;
        cmd.CommandTimeout = 1;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<QueryLakeException>(() => cmd.ExecuteScalar());
        Assert.Equal("QL-TIMEOUT", e.Code);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"the timeout took {sw.Elapsed}");
        cmd.CommandTimeout = 0;
        var run = Task.Run(() => cmd.ExecuteScalar());
        Thread.Sleep(300);
        cmd.Cancel();
        var ae = Assert.Throws<AggregateException>(() => run.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal("QL-CANCELLED", Assert.IsType<QueryLakeException>(ae.InnerException).Code);
        Assert.Equal(1L, c.ExecuteScalar<long>("SELECT 1")); // the connection goes on
    }
}
