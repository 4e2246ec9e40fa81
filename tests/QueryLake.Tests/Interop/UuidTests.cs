using QueryLake.Columnar.Types;
using QueryLake.Data;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;
using A = Apache.Arrow;

namespace QueryLake.Tests.Interop;

/// <summary>UUID and fixed_size_binary end to end: stored in a lake and read back after reopening, through ADO.NET as
/// <see cref="Guid"/>, in Parquet files DuckDB reads as UUID, and from Apache.Arrow batches. (Files of every type,
/// these included, round-trip with Apache.Arrow C# and apache-arrow JS in ArrowIpcTests and ApacheArrowTests.)</summary>
public sealed class UuidTests
{
    private static readonly Guid[] Ids = Enumerable.Range(0, 50).Select(i => new Guid($"{i:x8}-9c0b-4ef8-bb6d-6bb9bd380a{i % 100:d2}")).ToArray();

    [Fact]
    public void Uuids_persist_in_a_lake_and_read_as_guids_through_ado_net()
    {
        using var dir = new TempDir();
        using (var s = QueryLakeSession.Open(dir.File("lake")))
        {
            s.Execute("CREATE DATASET people (id UUID NOT NULL, badge FIXED_SIZE_BINARY(4), name VARCHAR)");
            foreach (var (g, i) in Ids.Select((g, i) => (g, i)))
                s.Execute("INSERT INTO people VALUES (@id, @badge, @name)", new Dictionary<string, object?>
                {
                    ["id"] = g, ["badge"] = i % 7 == 0 ? null : BitConverter.GetBytes(i), ["name"] = $"p{i}",
                });
        }
        using var c = new QueryLakeConnection($"Data Source={dir.File("lake")}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, badge, CAST(id AS VARCHAR) AS text FROM people WHERE id > @low ORDER BY id";
        var p = cmd.CreateParameter();
        p.ParameterName = "low";
        p.Value = Ids[10];
        cmd.Parameters.Add(p);
        using var r = cmd.ExecuteReader();
        Assert.Equal(typeof(Guid), r.GetFieldType(0));
        Assert.Equal(typeof(byte[]), r.GetFieldType(1));
        var expected = Ids.Select((g, i) => (g, i)).Where(x => UuidType.Compare(x.g, Ids[10]) > 0).OrderBy(x => x.g.ToString(), StringComparer.Ordinal).ToList();
        int k = 0;
        while (r.Read())
        {
            var (g, i) = expected[k++];
            Assert.Equal(g, r.GetGuid(0));
            Assert.Equal(g, r.GetValue(0));
            Assert.Equal(g.ToString(), r.GetString(2));
            if (i % 7 == 0) Assert.True(r.IsDBNull(1));
            else Assert.Equal(BitConverter.GetBytes(i), (byte[])r.GetValue(1));
        }
        Assert.Equal(expected.Count, k);
    }

    [Fact]
    public void Duckdb_reads_the_uuids_querylake_writes_to_parquet_and_the_reverse()
    {
        using var dir = new TempDir();
        using var s = QueryLakeSession.Open();
        var file = dir.File("ids.parquet");
        var values = string.Join(", ", Ids.Select((g, i) => i % 9 == 4 ? "(NULL)" : $"('{g}')"));
        s.Execute($"COPY (SELECT CAST(v AS UUID) AS id FROM (VALUES {values}) t(v)) TO '{file}'");
        var duck = DuckDbOracle.Rows($"SELECT typeof(id), CAST(id AS VARCHAR) FROM '{file}'");
        Assert.All(duck, row => Assert.Equal("UUID", row[0]));
        Assert.Equal(Ids.Select((g, i) => i % 9 == 4 ? null : g.ToString()), duck.Select(row => (string?)row[1]));
        // DuckDB writes, QueryLake reads: the same UUIDs as UUID.
        var theirs = dir.File("duck.parquet");
        DuckDbOracle.Rows($"COPY (SELECT CAST(v AS UUID) AS id FROM (VALUES {values}) t(v)) TO '{theirs}'");
        var ours = s.Query($"SELECT typeof(id), id FROM '{theirs}'").Rows().ToList();
        Assert.All(ours, row => Assert.Equal("UUID", row[0]));
        Assert.Equal(Ids.Select((g, i) => i % 9 == 4 ? (Guid?)null : g), ours.Select(row => (Guid?)row[1]));
    }

    [Fact]
    public void Apache_arrow_fixed_size_binary_and_arrow_uuid_come_in_as_themselves()
    {
        using var s = QueryLakeSession.Open();
        var bytes = A.ArrowArrayFactory.BuildArray(new A.ArrayData(new A.Types.FixedSizeBinaryType(16), Ids.Length, 0, 0,
            [A.ArrowBuffer.Empty, new A.ArrowBuffer(Ids.SelectMany(UuidType.ToBytes).ToArray())]));
        var uuidField = new A.Field("id", new A.Types.FixedSizeBinaryType(16), true, [new("ARROW:extension:name", "arrow.uuid"), new("ARROW:extension:metadata", "")]);
        var rawField = new A.Field("raw", new A.Types.FixedSizeBinaryType(16), true);
        var schema = new A.Schema([uuidField, rawField], null);
        s.Register("t", [new A.RecordBatch(schema, [bytes, bytes], Ids.Length).Slice(3, 40)]);
        var rows = s.Query("SELECT typeof(id), typeof(raw), id, raw FROM t ORDER BY id").Rows().ToList();
        Assert.Equal(40, rows.Count);
        Assert.All(rows, r => Assert.Equal(("UUID", "FIXED_SIZE_BINARY(16)"), ((string)r[0]!, (string)r[1]!)));
        Assert.Equal(Ids[3..43].OrderBy(g => g.ToString(), StringComparer.Ordinal), rows.Select(r => (Guid)r[2]!));
        Assert.All(rows, r => Assert.Equal(UuidType.ToBytes((Guid)r[2]!), (byte[])r[3]!));
        // And back out: the extension travels as field metadata over fixed_size_binary[16].
        var back = s.Query("SELECT id FROM t").ArrowSchema.FieldsList.Single();
        Assert.IsType<A.Types.FixedSizeBinaryType>(back.DataType);
        Assert.Equal("arrow.uuid", back.Metadata["ARROW:extension:name"]);
    }
}
