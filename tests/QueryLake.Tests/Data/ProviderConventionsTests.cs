using System.Data;
using System.Data.Common;
using QueryLake.Data;
using QueryLake.Errors;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Data;

/// <summary>What code written for Npgsql or Microsoft.Data.Sqlite expects of a provider: schema collections, SQL type
/// names, wall-clock timestamps, InvalidCastException from getters of the wrong type, error codes, and cancellation
/// that looks the same however it comes. Driven as a reporting tool would, through DbProviderFactory-generic code.</summary>
public sealed class ProviderConventionsTests
{
    private static DbConnection Open(TempDir dir)
    {
        DbProviderFactory factory = QueryLakeFactory.Instance;
        var c = factory.CreateConnection()!;
        c.ConnectionString = $"Data Source={dir.File("lake")}";
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            CREATE DATASET scenes (id BIGINT NOT NULL, lighting VARCHAR, taken TIMESTAMP, at_utc TIMESTAMPTZ, image BLOB);
            INSERT INTO scenes VALUES (1, 'night', TIMESTAMP '2024-05-01 22:30:00', TIMESTAMPTZ '2024-05-01 22:30:00+00', x'89504E47');
            CREATE VIEW night AS SELECT id, lighting FROM scenes WHERE lighting = 'night';
            """;
        cmd.ExecuteNonQuery();
        return c;
    }

    private static List<Dictionary<string, object?>> Rows(DataTable t) =>
        t.Rows.Cast<DataRow>().Select(r => t.Columns.Cast<DataColumn>().ToDictionary(c => c.ColumnName, c => r[c] is DBNull ? null : r[c])).ToList();

    [Fact]
    public void Schema_collections_list_tables_columns_views_and_types()
    {
        using var dir = new TempDir();
        using var c = Open(dir);
        var collections = Rows(c.GetSchema()).Select(r => (string)r["CollectionName"]!).ToList();
        Assert.Equal(["MetaDataCollections", "DataSourceInformation", "DataTypes", "Restrictions", "ReservedWords", "Tables", "Columns", "Views"], collections);
        // Every collection the provider lists answers.
        foreach (var name in collections) Assert.NotNull(c.GetSchema(name));
        var tables = Rows(c.GetSchema("Tables"));
        Assert.Equal([("night", "VIEW"), ("scenes", "BASE TABLE")], tables.Select(r => ((string)r["TABLE_NAME"]!, (string)r["TABLE_TYPE"]!)));
        Assert.Equal(["scenes"], Rows(c.GetSchema("Tables", [null, "BASE TABLE"])).Select(r => r["TABLE_NAME"]));
        var columns = Rows(c.GetSchema("Columns", ["scenes"]));
        Assert.Equal(["id", "lighting", "taken", "at_utc", "image"], columns.Select(r => r["COLUMN_NAME"]));
        Assert.Equal(["BIGINT", "VARCHAR", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "BLOB"], columns.Select(r => r["DATA_TYPE"]));
        Assert.Equal(["NO", "YES", "YES", "YES", "YES"], columns.Select(r => r["IS_NULLABLE"]));
        Assert.Equal([1, 2, 3, 4, 5], columns.Select(r => r["ORDINAL_POSITION"]));
        Assert.Equal(["id", "lighting"], Rows(c.GetSchema("Columns", ["night"])).Select(r => r["COLUMN_NAME"]));
        Assert.Equal(["lighting"], Rows(c.GetSchema("Columns", ["scenes", "lighting"])).Select(r => r["COLUMN_NAME"]));
        Assert.Contains("lighting = 'night'", (string)Rows(c.GetSchema("Views")).Single()["VIEW_DEFINITION"]!);
        Assert.Contains("SELECT", Rows(c.GetSchema("ReservedWords")).Select(r => (string)r["ReservedWord"]!));
        Assert.Contains("VARCHAR", Rows(c.GetSchema("DataTypes")).Select(r => (string)r["TypeName"]!));
        Assert.Equal("QueryLake", Rows(c.GetSchema("DataSourceInformation")).Single()["DataSourceProductName"]);
        Assert.Throws<ArgumentException>(() => c.GetSchema("Indexes"));
        Assert.Throws<ArgumentException>(() => c.GetSchema("Tables", ["a", "b", "c"]));
    }

    [Fact]
    public void Getters_give_sql_type_names_wall_clock_timestamps_and_refuse_the_wrong_type()
    {
        using var dir = new TempDir();
        using var c = Open(dir);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, lighting, taken, at_utc, image FROM scenes";
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(["BIGINT", "VARCHAR", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "BLOB"], Enumerable.Range(0, r.FieldCount).Select(r.GetDataTypeName));
        Assert.Equal(DateTimeKind.Unspecified, r.GetDateTime(2).Kind);
        Assert.Equal(new DateTime(2024, 5, 1, 22, 30, 0), r.GetDateTime(2));
        Assert.Equal(DateTimeKind.Utc, r.GetDateTime(3).Kind);
        Assert.Equal(DateTimeKind.Unspecified, r.GetFieldValue<DateTime>(2).Kind);
        // A getter of the wrong type is an InvalidCastException that names the column and its type.
        Assert.Contains("VARCHAR", Assert.Throws<InvalidCastException>(() => r.GetStream(1)).Message);
        Assert.Throws<InvalidCastException>(() => r.GetInt64(1));
        Assert.Throws<InvalidCastException>(() => r.GetString(0));
        Assert.Throws<InvalidCastException>(() => r.GetBoolean(0));
        Assert.Throws<InvalidCastException>(() => r.GetDateTime(1));
        Assert.Throws<InvalidCastException>(() => r.GetGuid(1));
        Assert.Throws<InvalidCastException>(() => r.GetDecimal(1));
        // The right ones still read (a BIGINT widens to decimal and double).
        Assert.Equal(1L, r.GetInt64(0));
        Assert.Equal(1m, r.GetDecimal(0));
        Assert.Equal(1.0, r.GetDouble(0));
        Assert.Equal("night", r.GetString(1));
        using var s = r.GetStream(4);
        Assert.Equal(4, s.Length);
    }

    [Fact]
    public async Task Errors_carry_their_code_and_a_token_cancels_as_Cancel_does()
    {
        using var dir = new TempDir();
        using var c = Open(dir);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT nope FROM scenes";
        var e = Assert.ThrowsAny<QueryLakeException>(() => cmd.ExecuteReader());
        Assert.Equal(QueryLakeException.ErrorNumber(e.Code), e.ErrorCode);
        Assert.Equal(e.Code, e.SqlState);
        Assert.NotEqual(QueryLakeException.ErrorNumber("QL-TIMEOUT"), QueryLakeException.ErrorNumber("QL-CANCELLED"));
        // A token cancelled before or during the command: QL-CANCELLED, as Cancel() gives.
        cmd.CommandText = "SELECT count(*) FROM range(100000000) a, range(1000) b WHERE a.range + b.range = -1";
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var before = await Assert.ThrowsAnyAsync<QueryLakeException>(() => cmd.ExecuteScalarAsync(cancelled.Token));
        Assert.Equal("QL-CANCELLED", before.Code);
        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var during = await Assert.ThrowsAnyAsync<QueryLakeException>(() => cmd.ExecuteScalarAsync(soon.Token));
        Assert.Equal("QL-CANCELLED", during.Code);
        Assert.Equal(QueryLakeException.ErrorNumber("QL-CANCELLED"), during.ErrorCode);
        var reader = await Assert.ThrowsAnyAsync<QueryLakeException>(async () =>
        {
            using var later = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await using var r = await cmd.ExecuteReaderAsync(later.Token);
            while (await r.ReadAsync()) { }
        });
        Assert.Equal("QL-CANCELLED", reader.Code);
    }
}
