using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Functions.Scalar;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Functions;

/// <summary>year(), month() and day() of timestamps come straight from the day number (civil-from-days); they equal
/// .NET's calendar (DateTime) for every day from year 1 to 9999, before and after 1970, and through SQL they equal
/// date_part, which goes through DateTime.</summary>
public sealed class DatePartProperties
{
    [Fact]
    public void Civil_parts_equal_the_calendar()
    {
        long min = (DateTime.MinValue - DateTime.UnixEpoch).Days, max = (DateTime.MaxValue - DateTime.UnixEpoch).Days;
        var property = Prop.ForAll(Gen.Choose((int)min, (int)max).ToArbitrary(), day =>
        {
            var t = DateTime.UnixEpoch.AddDays(day);
            Assert.Equal((t.Year, t.Month, t.Day), (DateFunctions.CivilPart(day, 0), DateFunctions.CivilPart(day, 1), DateFunctions.CivilPart(day, 2)));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5000), property);
    }

    [Fact]
    public void Sql_parts_equal_date_part()
    {
        using var s = QueryLakeSession.Open();
        var rng = new Random(4);
        var schema = new Schema([new Field("ts", DataType.Timestamp())]);
        var ts = new PrimitiveBuilder<long>(DataType.Timestamp());
        long previous = 0;
        for (int i = 0; i < 20_000; i++)
        {
            if (i % 50 == 0) { ts.AppendNull(); continue; }
            // µs, years 1 to 9999; every other row within hours of the one before (runs on one day, and across midnight)
            previous = i % 2 == 0 ? previous + rng.NextInt64(-7_200_000_000L, 7_200_000_000L)
                : rng.NextInt64(-62_135_596_800_000_000L, 253_402_300_799_000_000L);
            ts.Append(Math.Clamp(previous, -62_135_596_800_000_000L, 253_402_300_799_000_000L));
        }
        s.Lake.CreateDataset("t", schema).Append(new RecordBatch(schema, [ts.Build()], 20_000));
        var row = s.Query("""
            SELECT count(*) FILTER (WHERE year(ts) IS DISTINCT FROM date_part('year', ts)),
                   count(*) FILTER (WHERE month(ts) IS DISTINCT FROM date_part('month', ts)),
                   count(*) FILTER (WHERE day(ts) IS DISTINCT FROM date_part('day', ts)),
                   count(*) FILTER (WHERE ts < TIMESTAMP '1970-01-01 00:00:00')
            FROM t
            """).Rows().Single();
        Assert.Equal((0L, 0L, 0L), ((long)row[0]!, (long)row[1]!, (long)row[2]!));
        Assert.True((long)row[3]! > 1000, "the sample covers dates before 1970");
    }
}
