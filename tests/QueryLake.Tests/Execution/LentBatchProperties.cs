using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Parquet;
using QueryLake.Execution.Operators.Scan.Sources;
using QueryLake.Sessions;
using QueryLake.Tests.Support;
using Xunit;

namespace QueryLake.Tests.Execution;

/// <summary>An aggregation straight over a Parquet scan takes its batches lent: row groups are decoded into pooled
/// buffers that go back to the pool once every batch cut from them has been aggregated, and filters that gather give
/// theirs back once gathered. Tests run with returned buffers overwritten (<see cref="PoisonedBuffers"/>), so a buffer
/// given back while something still reads it shows as a wrong answer. For random tables written in row groups smaller
/// and larger than a batch, aggregates with and without GROUP BY, unfiltered and under filters that keep few rows (late
/// materialization), many (read whole, then gathered) or all, on four threads at once, equal the values computed
/// here; so do aggregates over computed keys and arguments, whose per-batch results are scratch buffers given back
/// once the batch is aggregated, and top-k queries, which release a batch once its candidate rows are copied.</summary>
public sealed class LentBatchProperties
{
    private sealed record Table(long[] Group, long?[] X, double[] Y, string?[] T);

    private static readonly string[] Words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"];

    private static Table Write(string path, int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(1, 160_000);
        var table = new Table(new long[n], new long?[n], new double[n], new string?[n]);
        var schema = new Schema([new Field("id", DataType.Int64, false), new Field("g", DataType.Int64, false), new Field("x", DataType.Int64),
            new Field("y", DataType.Float64, false), new Field("t", DataType.Utf8)]);
        var ids = new PrimitiveBuilder<long>(DataType.Int64);
        var groups = new PrimitiveBuilder<long>(DataType.Int64);
        var xs = new PrimitiveBuilder<long>(DataType.Int64);
        var ys = new PrimitiveBuilder<double>(DataType.Float64);
        var ts = new BinaryBuilder(DataType.Utf8);
        int groupCount = rng.Next(1, 12);
        double nulls = rng.NextDouble() * 0.3;
        for (int i = 0; i < n; i++)
        {
            ids.Append(i);
            groups.Append(table.Group[i] = rng.Next(groupCount));
            if (rng.NextDouble() < nulls) xs.AppendNull();
            else xs.Append((long)(table.X[i] = rng.NextInt64(-1_000_000_000, 1_000_000_000)));
            ys.Append(table.Y[i] = rng.Next(-4_000, 4_000) * 0.25); // quarters: every sum is exact in any order
            if (rng.NextDouble() < nulls) ts.AppendNull();
            else ts.Append(table.T[i] = Words[rng.Next(Words.Length)] + rng.Next(40));
        }
        var options = new ParquetWriteOptions { RowGroupSize = new[] { 3_000, 70_000, 140_000 }[rng.Next(3)], Compression = rng.Next(2) == 0 ? "zstd" : "none" };
        using (var w = new ParquetFileWriter(path, schema, options))
        {
            w.Write(new RecordBatch(schema, [ids.Build(), groups.Build(), xs.Build(), ys.Build(), ts.Build()], n));
            w.Finish();
        }
        return table;
    }

    /// <summary>Filters: none, one row in 50 and one in 4 (late materialization), two in three (read whole, then gathered), all, and
    /// one that reads every scanned column (no late materialization: the scan's batches are filtered and gathered).</summary>
    private static (string Sql, Func<int, bool> Keeps)[] Filters(Table t) =>
    [
        ("", _ => true),
        ("WHERE id % 50 = 0", i => i % 50 == 0),
        ("WHERE id % 4 = 1", i => i % 4 == 1), // a quarter: still late, and the filter's gathered column is pooled
        ("WHERE id % 3 <> 0", i => i % 3 != 0),
        ("WHERE id >= 0", _ => true),
        ("WHERE (id + g + x + y > -1e18 AND t IS NOT NULL) OR id % 7 = 0", i => (t.X[i] is not null && t.T[i] is not null) || i % 7 == 0),
    ];

    private static string Expected(Table t, Func<int, bool> keeps, bool grouped)
    {
        var rows = Enumerable.Range(0, t.Group.Length).Where(keeps).ToList();
        string Line(IReadOnlyList<int> r)
        {
            var x = r.Where(i => t.X[i] is not null).Select(i => t.X[i]!.Value).ToList();
            var s = r.Where(i => t.T[i] is not null).Select(i => t.T[i]!).ToList();
            return string.Join("|", r.Count, x.Count, x.Count == 0 ? "" : x.Sum().ToString(CultureInfo.InvariantCulture),
                x.Count == 0 ? "" : x.Min().ToString(CultureInfo.InvariantCulture), x.Count == 0 ? "" : x.Max().ToString(CultureInfo.InvariantCulture),
                r.Count == 0 ? "" : r.Sum(i => t.Y[i]).ToString("R", CultureInfo.InvariantCulture),
                s.Count == 0 ? "" : s.Min(StringComparer.Ordinal), s.Count == 0 ? "" : s.Max(StringComparer.Ordinal));
        }
        if (!grouped) return Line(rows);
        return string.Join("\n", rows.GroupBy(i => t.Group[i]).OrderBy(g => g.Key).Select(g => g.Key + ":" + Line(g.ToList())));
    }

    /// <summary>Keys and arguments computed per batch (scratch buffers given back once the batch is aggregated).</summary>
    private static string ExpectedComputed(Table t, Func<int, bool> keeps) =>
        string.Join("\n", Enumerable.Range(0, t.Group.Length).Where(keeps).GroupBy(i => t.Group[i] % 4).OrderBy(g => g.Key).Select(g =>
        {
            var x = g.Where(i => t.X[i] is not null).Select(i => t.X[i]!.Value * 2).ToList();
            var s = g.Where(i => t.T[i] is not null).Select(i => t.T[i]!.ToUpperInvariant()).ToList();
            return string.Join("|", g.Key, g.Count(), x.Count == 0 ? "" : x.Sum().ToString(CultureInfo.InvariantCulture),
                s.Count == 0 ? "" : s.Max(StringComparer.Ordinal), g.Min(i => t.Y[i] * 2).ToString("R", CultureInfo.InvariantCulture));
        }));

    private static string ActualComputed(QueryLakeSession s, string path, string filter) =>
        string.Join("\n", s.Query($"SELECT g % 4 AS k, count(*), sum(x * 2), max(upper(t)), min(y * 2) FROM '{path}' {filter} GROUP BY k ORDER BY k").Rows()
            .Select(r => string.Join("|", r.Select(v => v switch { null => "", double d => d.ToString("R", CultureInfo.InvariantCulture), _ => Convert.ToString(v, CultureInfo.InvariantCulture)! }))));

    /// <summary>A top-k over the scan (its projection of the candidate rows copies them, so it takes lent batches).</summary>
    private static string ExpectedTop(Table t, Func<int, bool> keeps) =>
        string.Join("\n", Enumerable.Range(0, t.Group.Length).Where(keeps).OrderByDescending(i => t.Y[i]).ThenBy(i => i).Take(7)
            .Select(i => string.Join("|", i, t.X[i]?.ToString(CultureInfo.InvariantCulture) ?? "", t.T[i] ?? "")));

    private static string ActualTop(QueryLakeSession s, string path, string filter) =>
        string.Join("\n", s.Query($"SELECT id, x, t FROM '{path}' {filter} ORDER BY y DESC, id LIMIT 7").Rows()
            .Select(r => string.Join("|", r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? ""))));

    private static string Actual(QueryLakeSession s, string path, string filter, bool grouped)
    {
        string aggregates = "count(*), count(x), sum(x), min(x), max(x), sum(y), min(t), max(t)";
        var sql = grouped ? $"SELECT g, {aggregates} FROM '{path}' {filter} GROUP BY g ORDER BY g" : $"SELECT {aggregates} FROM '{path}' {filter}";
        string Text(object? v) => v switch { null => "", double d => d.ToString("R", CultureInfo.InvariantCulture), _ => Convert.ToString(v, CultureInfo.InvariantCulture)! };
        var lines = s.Query(sql).Rows().Select(r => grouped ? Text(r[0]) + ":" + string.Join("|", r.Skip(1).Select(Text)) : string.Join("|", r.Select(Text)));
        var text = string.Join("\n", lines);
        // Over no rows the ungrouped query still gives one row: count 0, the rest NULL.
        return text;
    }

    [Fact]
    public void Aggregates_over_lent_batches_equal_the_values_computed_here()
    {
        using var dir = new TempDir();
        var property = Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var path = dir.File($"lent-{seed}.parquet");
            var table = Write(path, seed);
            var work = Filters(table).SelectMany(f => new[] { false, true }.Select(g => (f.Sql, f.Keeps, Grouped: g))).ToList();
            var expected = work.Select(w => Expected(table, w.Keeps, w.Grouped)).ToList();
            var computed = Filters(table).Select(f => ExpectedComputed(table, f.Keeps)).ToList();
            var top = Filters(table).Select(f => ExpectedTop(table, f.Keeps)).ToList();
            // Four threads at once, each running every query twice: their row groups share the pool.
            System.Threading.Tasks.Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
            {
                using var s = QueryLakeSession.Open();
                for (int r = 0; r < 2; r++)
                    for (int q = 0; q < work.Count; q++)
                    {
                        int at = (q + k) % work.Count;
                        var actual = Actual(s, path, work[at].Sql, work[at].Grouped);
                        Assert.True(expected[at] == actual, $"seed {seed}, {work[at].Sql}, grouped {work[at].Grouped}:\nexpected {expected[at]}\nactual   {actual}");
                        if (q % 2 == 1)
                        {
                            var f = Filters(table)[(at / 2) % top.Count];
                            var got = ActualTop(s, path, f.Sql);
                            Assert.True(top[(at / 2) % top.Count] == got, $"seed {seed}, top-k, {f.Sql}:\nexpected {top[(at / 2) % top.Count]}\nactual   {got}");
                        }
                        if (q % 2 == 0)
                        {
                            var f = Filters(table)[(at / 2) % computed.Count];
                            var got = ActualComputed(s, path, f.Sql);
                            Assert.True(computed[(at / 2) % computed.Count] == got, $"seed {seed}, computed keys, {f.Sql}:\nexpected {computed[(at / 2) % computed.Count]}\nactual   {got}");
                        }
                    }
            });
            File.Delete(path);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(12), property);
    }

    [Fact]
    public void A_lent_scan_splits_each_row_groups_lease_among_its_batches()
    {
        using var dir = new TempDir();
        var path = dir.File("lent.parquet");
        Write(path, 7);
        var source = new ParquetSource("lent", [ParquetFileReader.Open(path)]);
        var columns = new[] { "id", "x", "t" };
        Assert.All(source.Scan(columns, null, CancellationToken.None), b => Assert.Null(b.Lease));
        var lent = source.ScanLent(columns, null, CancellationToken.None).ToList();
        Assert.All(lent, b => Assert.NotNull(b.Lease));
        // Each batch holds one share of its row group's lease: releasing every batch once ends every lease, and a
        // second release of any of them is an error rather than a buffer returned twice.
        foreach (var b in lent) b.Release();
        Assert.Throws<InvalidOperationException>(() => lent[^1].Release());
    }

    [Fact]
    public void A_lease_returns_its_buffers_when_its_last_holder_releases_it()
    {
        var pool = new BufferPool(64L << 20);
        var lease = new BufferLease(pool);
        var first = lease.Rent(300_000);
        lease.Rent(1 << 20);
        Assert.Equal(BufferPool.SizeClass(300_000), first.Length);
        lease.Split(3);
        lease.Release();
        lease.Release();
        Assert.Equal(0, pool.PooledBytes);
        lease.Release();
        Assert.Equal(BufferPool.SizeClass(300_000) + (1 << 20), pool.PooledBytes);
        Assert.True(first.Span.ToArray().All(b => b == 0xA5), "returned buffers are poisoned in tests");
        // The next rent of the same size class takes the returned buffer.
        Assert.True(pool.Rent(310_000).Span == first.Span);
        Assert.Throws<InvalidOperationException>(() => lease.Release());
    }

    [Fact]
    public void Full_collections_drop_buffers_nobody_rents_any_more()
    {
        var pool = new BufferPool(64L << 20);
        pool.Return(pool.Rent(1 << 20));
        Assert.Equal(1 << 20, pool.PooledBytes);
        // The first full collection after a rent keeps the size class; the next one, with no rent between, drops it.
        for (int i = 0; i < 3 && pool.PooledBytes > 0; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Equal(0, pool.PooledBytes);
        // Beyond its capacity a pool takes nothing back.
        var small = new BufferPool(BufferPool.MinimumLength);
        var a = small.Rent(BufferPool.MinimumLength);
        var b = small.Rent(BufferPool.MinimumLength);
        small.Return(a);
        small.Return(b);
        Assert.Equal(BufferPool.MinimumLength, small.PooledBytes);
    }

    [Fact]
    public void Idle_buffers_are_dropped_after_their_idle_time()
    {
        var pool = new BufferPool(64L << 20);
        pool.Return(pool.Rent(1 << 20));
        pool.TrimIdle(60_000); // rented just now: kept
        Assert.Equal(1 << 20, pool.PooledBytes);
        pool.TrimIdle(0);
        Assert.Equal(0, pool.PooledBytes);
        // A pool with an idle time drops them by itself (a timer), without a garbage collection.
        var timed = new BufferPool(64L << 20, TimeSpan.FromMilliseconds(50));
        timed.Return(timed.Rent(1 << 20));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (timed.PooledBytes > 0 && waited.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(20);
        Assert.Equal(0, timed.PooledBytes);
    }

    [Fact]
    public void Size_classes_round_up_by_at_most_an_eighth()
    {
        var property = Prop.ForAll(Gen.Choose(1, int.MaxValue / 2).ToArbitrary(), length =>
        {
            int size = BufferPool.SizeClass(length);
            Assert.True(size >= length && size >= BufferPool.MinimumLength);
            Assert.True(length <= BufferPool.MinimumLength || size - length <= length / 8 + 1, $"{length} → {size}");
            Assert.Equal(size, BufferPool.SizeClass(size));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2_000), property);
    }
}
