using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Display;
using QueryLake.Errors;
using QueryLake.Language;
using QueryLake.Sessions;
using Xunit;

namespace QueryLake.Tests.Sessions;

/// <summary>Query results stream: batches are computed as the caller reads them, so a result of any size starts at
/// once, the statement's limits hold while it is read, and stopping early stops the work.</summary>
[Collection(QueryLake.Tests.Support.AloneCollection.Name)]
public sealed class StreamingResultTests : IDisposable
{
    private readonly QueryLakeSession _session = QueryLakeSession.Open();

    public void Dispose() => _session.Dispose();

    /// <summary>A hundred billion rows: materializing them would never finish.</summary>
    private const string Endless = "SELECT range AS n FROM range(100000000000)";

    [Fact]
    public void A_result_of_a_hundred_billion_rows_starts_at_once_and_stops_when_disposed()
    {
        using (var result = _session.Query(Endless))
        {
            Assert.False(result.IsMaterialized);
            long expected = 0;
            int batches = 0;
            foreach (var b in result)
            {
                var n = (PrimitiveArray<long>)b.Columns[0];
                for (int i = 0; i < b.Length; i++) Assert.Equal(expected++, n[i]);
                if (++batches == 3) break;
            }
            Assert.True(expected > 0);
        }
        Assert.Equal(6L, _session.Query("SELECT count(*) FROM range(6)").Rows().Single()[0]);
    }

    [Fact]
    public async Task Results_stream_asynchronously()
    {
        using var result = _session.Query(Endless);
        long rows = 0;
        await foreach (var b in result)
        {
            rows += b.Length;
            if (rows >= 100_000) break;
        }
        Assert.True(rows >= 100_000);
    }

    [Fact]
    public void Streaming_a_compressed_dataset_keeps_only_the_batches_in_flight()
    {
        // zstd data files decode into fresh memory: 3M rows × 16 bytes ≈ 48 MB decoded, which the lake's file cache must
        // not keep once the scan has moved on.
        var schema = new Schema([new Field("id", DataType.Int64), new Field("x", DataType.Float64)]);
        IEnumerable<RecordBatch> Batches()
        {
            for (long start = 0; start < 3_000_000; start += 65536)
            {
                int n = (int)Math.Min(65536, 3_000_000 - start);
                yield return new RecordBatch(schema, [ArrayBuilder.Build(DataType.Int64, Enumerable.Range(0, n).Select(i => (object?)(start + i)).ToArray()),
                    ArrayBuilder.Build(DataType.Float64, Enumerable.Range(0, n).Select(i => (object?)((start + i) * 0.5)).ToArray())], n);
            }
        }
        _session.Lake.CreateDataset("packed", schema, new global::QueryLake.Storage.DatasetWriteOptions { Compression = global::QueryLake.Formats.Ipc.IpcCompression.Zstd }, Batches());
        for (int pass = 0; pass < 2; pass++)
        {
            GC.Collect();
            long before = GC.GetTotalMemory(true), most = 0, rows = 0;
            foreach (var b in _session.Query("SELECT id, x FROM packed"))
                if ((rows += b.Length) % (65536 * 8) == 0) most = Math.Max(most, GC.GetTotalMemory(true) - before);
            Assert.Equal(3_000_000, rows);
            Assert.True(most < 16L << 20, $"pass {pass}: live memory grew by {most >> 20} MiB while streaming");
        }
    }

    [Fact]
    public void The_statement_timeout_holds_while_a_result_is_read()
    {
        _session.StatementTimeout = TimeSpan.FromMilliseconds(500);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var result = _session.Query(Endless);
        var e = Assert.Throws<QueryLakeException>(() => { foreach (var _ in result) { } });
        Assert.Equal("QL-TIMEOUT", e.Code);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"stopped after {sw.Elapsed}");
        _session.StatementTimeout = null;
        Assert.Equal(3L, _session.Query("SELECT count(*) FROM range(3)").Rows().Single()[0]);
    }

    [Fact]
    public void Cancelling_the_token_stops_a_result_being_read()
    {
        using var cancel = new CancellationTokenSource();
        var result = _session.Query(Endless, cancel: cancel.Token);
        long rows = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var b in result)
                if ((rows += b.Length) > 200_000) cancel.Cancel();
        });
        Assert.True(rows > 200_000);
    }

    [Fact]
    public void A_streamed_result_is_read_once_and_a_materialized_one_any_number_of_times()
    {
        var streamed = _session.Query("SELECT range FROM range(10)");
        Assert.Equal(10, streamed.Sum(b => b.Length));
        Assert.Equal("QL-RESULT-READ", Assert.Throws<QueryLakeException>(() => streamed.Materialize()).Code);

        var kept = _session.Query("SELECT range FROM range(10)").Materialize();
        Assert.True(kept.IsMaterialized);
        Assert.Equal(10, kept.Sum(b => b.Length));
        Assert.Equal(10L, kept.RowCount);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (object?)(long)i), kept.Rows().Select(r => r[0]));
    }

    [Fact]
    public void Errors_surface_while_reading_with_their_code_and_position()
    {
        var result = _session.Query("SELECT CAST('x' || range AS BIGINT) FROM range(5)");
        var e = Assert.Throws<SqlException>(() => result.Materialize());
        Assert.Equal("QL-CAST", e.Code);
        // The CAST's place in the statement, and the value that failed.
        Assert.Equal((1, 8), (e.Line, e.Column));
        Assert.Contains("'x0'", e.Message);
        // Execute runs every statement to its end, so it reports the error itself.
        var again = Assert.Throws<SqlException>(() => _session.Execute("SELECT 1 AS a,\n  CAST('x' || range AS BIGINT) FROM range(5)"));
        Assert.Equal((2, 3), (again.Line, again.Column));
    }

    [Fact]
    public void ExecuteEach_runs_a_statement_only_when_its_turn_comes_and_keeps_earlier_results()
    {
        var seen = new List<string>();
        var e = Assert.Throws<SqlException>(() =>
        {
            foreach (var r in _session.ExecuteEach("CREATE DATASET t (a BIGINT); INSERT INTO t VALUES (1), (2); SELECT a FROM t ORDER BY a; SELECT nope FROM t"))
                seen.Add(r.RowsAffected is { } n ? $"{n} rows" : string.Join(",", r.Rows().Select(x => x[0])));
        });
        Assert.Contains("nope", e.Message);
        Assert.Equal(3, seen.Count);
        Assert.Equal(["2 rows", "1,2"], seen.Skip(1));
    }

    [Fact]
    public void The_text_table_shows_the_first_and_last_rows_of_a_long_result()
    {
        var schema = new Schema([new Field("n", DataType.Int64)]);
        IEnumerable<RecordBatch> Batches()
        {
            for (int i = 0; i < 5; i++)
                yield return new RecordBatch(schema, [ArrayBuilder.Build(DataType.Int64, [(long)(2 * i), (long)(2 * i + 1)])], 2);
        }
        var text = ResultText.Table(schema, Batches(), maxRows: 4);
        var shown = text.Split('\n').Where(l => l.StartsWith("│ ", StringComparison.Ordinal) && char.IsDigit(l.Trim('│', ' ')[0])).Select(l => long.Parse(l.Trim('│', ' '), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([0L, 1L, 8L, 9L], shown);
        Assert.Contains("·", text);
        Assert.EndsWith("10 rows (4 shown)", text);
        // A failure while reading is the caller's to see; no partial table is left behind as if complete.
        IEnumerable<RecordBatch> Failing()
        {
            yield return new RecordBatch(schema, [ArrayBuilder.Build(DataType.Int64, [1L])], 1);
            throw new InvalidOperationException("the rest of the result failed");
        }
        var w = new StringWriter();
        Assert.Throws<InvalidOperationException>(() => ResultText.Write(w, schema, Failing(), maxRows: 3));
        Assert.DoesNotContain("row", w.ToString());
    }
}
