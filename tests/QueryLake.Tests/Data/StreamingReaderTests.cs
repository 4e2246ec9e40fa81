using System.Data;
using QueryLake.Data;
using QueryLake.Errors;
using Xunit;

namespace QueryLake.Tests.Data;

/// <summary>The ADO.NET reader reads as batches arrive: a result of any size starts at once, its memory stays flat
/// while it is read, ReadAsync waits for batches being computed, and the command's timeout and Cancel() hold while
/// reading.</summary>
[Collection(QueryLake.Tests.Support.AloneCollection.Name)]
public sealed class StreamingReaderTests
{
    private static QueryLakeConnection Open(string? dir = null)
    {
        var c = new QueryLakeConnection($"Data Source={dir ?? ":memory:"}");
        c.Open();
        return c;
    }

    /// <summary>Anonymous resident memory of this process (heap and native allocations; mapped data files are not
    /// counted: their pages are the page cache's).</summary>
    private static long RssAnon()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    [Fact]
    public void Reading_ten_million_rows_keeps_memory_flat()
    {
        if (!OperatingSystem.IsLinux()) return;
        var dir = Path.Combine(Path.GetTempPath(), "ql-stream-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var c = Open(dir);
            using (var create = c.CreateCommand())
            {
                create.CommandText = "CREATE DATASET big AS SELECT range AS id, range * 0.5 AS x, 'row ' || CAST(range AS VARCHAR) AS s FROM range(10000000)";
                create.CommandTimeout = 0;
                create.ExecuteNonQuery();
            }
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT * FROM big";
            cmd.CommandTimeout = 0;
            GC.Collect();
            long before = GC.GetTotalMemory(true), anonBefore = RssAnon();
            long maxLive = 0, maxAnon = 0, rows = 0, sum = 0, chars = 0;
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read())
                {
                    sum += r.GetInt64(0);
                    chars += r.GetString(2).Length;
                    if (++rows % 1_000_000 == 0)
                    {
                        maxLive = Math.Max(maxLive, GC.GetTotalMemory(true) - before);
                        maxAnon = Math.Max(maxAnon, RssAnon() - anonBefore);
                    }
                }
            }
            Assert.Equal(10_000_000L, rows);
            Assert.Equal(10_000_000L * 9_999_999 / 2, sum);
            // The result is 10M × (8 + 8 + ~11 bytes) ≈ 270 MB; what stays alive while reading is a few batches.
            Assert.True(maxLive < 64L << 20, $"live managed memory grew by {maxLive >> 20} MiB while reading");
            Assert.True(maxAnon < 160L << 20, $"anonymous resident memory grew by {maxAnon >> 20} MiB while reading");
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    [Fact]
    public void A_reader_over_a_hundred_billion_rows_starts_at_once_and_closing_it_runs_the_statements_after_it()
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT range FROM range(100000000000); CREATE DATASET after_it (a BIGINT); INSERT INTO after_it VALUES (7)";
        using (var r = cmd.ExecuteReader())
        {
            for (long i = 0; i < 5; i++)
            {
                Assert.True(r.Read());
                Assert.Equal(i, r.GetInt64(0));
            }
            Assert.True(r.HasRows);
        }
        using var check = c.CreateCommand();
        check.CommandText = "SELECT a FROM after_it";
        Assert.Equal(7L, check.ExecuteScalar());
    }

    [Fact]
    public async Task ReadAsync_waits_while_the_next_batch_is_computed()
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        // One row whose computation takes a while: the reader is returned before it is computed.
        cmd.CommandText = "SELECT count(*) FROM range(20000) a CROSS JOIN range(20000) b WHERE a.range + b.range = 17";
        cmd.CommandTimeout = 0;
        await using var r = await cmd.ExecuteReaderAsync();
        var read = r.ReadAsync();
        Assert.False(read.IsCompleted, "the row was computed before ReadAsync was called");
        Assert.True(await read);
        Assert.Equal(18L, r.GetInt64(0));
        Assert.False(await r.ReadAsync());
    }

    [Fact]
    public void The_command_timeout_and_Cancel_hold_while_a_reader_reads()
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT range FROM range(100000000000)";
        cmd.CommandTimeout = 1;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using (var r = cmd.ExecuteReader())
        {
            var e = Assert.Throws<QueryLakeException>(() => { while (r.Read()) { } });
            Assert.Equal("QL-TIMEOUT", e.Code);
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(4), $"stopped after {sw.Elapsed}");

        cmd.CommandTimeout = 0;
        using (var r = cmd.ExecuteReader())
        {
            long rows = 0;
            var e = Assert.Throws<QueryLakeException>(() => { while (r.Read()) if (++rows == 300_000) cmd.Cancel(); });
            Assert.Equal("QL-CANCELLED", e.Code);
        }
        cmd.CommandText = "SELECT 41 + 1";
        Assert.Equal(42, Convert.ToInt32(cmd.ExecuteScalar()));
    }
}
