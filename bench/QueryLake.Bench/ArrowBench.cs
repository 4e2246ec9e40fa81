using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using QueryLake.Flight;
using QueryLake.Sessions;

namespace QueryLake.Bench;

/// <summary>
/// Arrow at the boundary and over the network, same run:
/// 1. converting a 6M-row result to Apache.Arrow batches and back, and how many buffers were copied (expected 0:
///    each converted buffer has the engine's address);
/// 2. Arrow Flight DoGet over loopback (this process serves, a client in this process reads; gRPC over TCP) for a
///    lake's `lineitem` and for a dataset of 100 KB blobs, next to the same query read in process.
/// usage: bench arrow [lake with lineitem, default: none (skips it)] [repeat, default 3] [dir]
/// </summary>
internal static class ArrowBench
{
    public static void Run(string[] args)
    {
        string? tpch = args.Length > 0 && args[0] != "-" ? args[0] : null;
        int repeat = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var root = Path.Combine(args.Length > 2 ? args[2] : Path.GetTempPath(), "ql-arrow-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var lake = Path.Combine(root, "lake");
            using var s = QueryLakeSession.Open(lake);
            Console.WriteLine($"# Arrow boundary and Flight — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; CPU: {Limits.CpuModel()}, {Environment.ProcessorCount} cores; .NET {Environment.Version}; medians of {repeat}");
            Console.WriteLine($"# memory copy bandwidth (one core), same run: {Limits.MemoryCopyBytesPerSecond() / 1e9:F1} GB/s");
            s.Execute("CREATE DATASET six AS SELECT range AS id, range * 0.5 AS x, 'row ' || (range % 1000) AS label, [range, range + 1] AS pair FROM range(6000000)");
            var result = s.Query("SELECT * FROM six").Materialize();
            long buffers = 0, copied = 0;
            var converted = new List<Apache.Arrow.RecordBatch>();
            double toApache = Measure.MedianSeconds(repeat, () => { converted = result.ToArrowBatches().ToList(); });
            for (int b = 0; b < converted.Count; b++)
                for (int c = 0; c < converted[b].ColumnCount; c++)
                    Compare(result.Batches[b].Columns[c].Data, converted[b].Column(c).Data, ref buffers, ref copied);
            double back = Measure.MedianSeconds(repeat, () =>
            {
                s.Register("back", converted);
                s.Query("SELECT count(*) FROM back").Rows().ToList();
                s.Unregister("back");
            });
            Console.WriteLine($"6,000,000 rows in {converted.Count} batches → Apache.Arrow: {toApache * 1000:F1} ms; {buffers} buffers, {copied} copied");
            Console.WriteLine($"Apache.Arrow → registered relation, counted: {back * 1000:F1} ms");

            s.Execute("CREATE DATASET blobs AS SELECT range AS id, CAST(CAST(range AS VARCHAR) || repeat('x', 102400) AS BLOB) AS payload FROM range(2000)");
            var cases = new List<(string Label, string Lake, string Sql)> { ("100 KB blobs (2,000 rows)", lake, "SELECT * FROM blobs"), ("6M rows, 4 columns", lake, "SELECT * FROM six") };
            if (tpch is not null) cases.Insert(0, ("TPC-H lineitem", tpch, "SELECT * FROM lineitem"));
            foreach (var (label, path, sql) in cases)
            {
                using var local = QueryLakeSession.Open(path);
                long rows = 0, bytes = 0;
                double inProcess = Measure.MedianSeconds(repeat, () =>
                {
                    (rows, bytes) = (0, 0);
                    foreach (var b in local.Query(sql)) { rows += b.Length; bytes += Bytes(b); }
                });
                var host = FlightHost.StartAsync(new FlightServeOptions { LakePath = path, Port = 0 }).GetAwaiter().GetResult();
                try
                {
                    // A receive window of a few messages (docs/flight.md): .NET's default of 64 KB would stall each 4 MB message.
                    using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(host.Uri, new Grpc.Net.Client.GrpcChannelOptions
                    {
                        MaxReceiveMessageSize = null,
                        HttpHandler = new SocketsHttpHandler { InitialHttp2StreamWindowSize = 16 << 20 },
                    });
                    var client = new FlightClient(channel);
                    long flightRows = 0;
                    double flight = Measure.MedianSeconds(repeat, () =>
                    {
                        flightRows = 0;
                        using var call = client.GetStream(new FlightTicket(sql));
                        while (call.ResponseStream.MoveNext(CancellationToken.None).GetAwaiter().GetResult()) flightRows += call.ResponseStream.Current.Length;
                    });
                    if (flightRows != rows) throw new InvalidOperationException($"Flight returned {flightRows} rows, in process {rows}");
                    Console.WriteLine($"{label,-28} in process {inProcess:F2}s ({rows / inProcess / 1e6,6:F1} M rows/s, {bytes / inProcess / 1e9,5:F2} GB/s); " +
                        $"Flight DoGet {flight:F2}s ({rows / flight / 1e6,6:F1} M rows/s, {bytes / flight / 1e9,5:F2} GB/s): {flight / inProcess:F1}×");
                }
                finally { host.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
            }
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    private static unsafe nint Address(ReadOnlyMemory<byte> m) => m.IsEmpty ? 0 : (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference(m.Span));

    private static void Compare(Columnar.ArrayData ours, Apache.Arrow.ArrayData theirs, ref long buffers, ref long copied)
    {
        for (int i = 0; i < ours.Buffers.Length; i++)
        {
            if (ours.Buffers[i].IsEmpty) continue;
            buffers++;
            if (Address(ours.Buffers[i].Memory) != Address(theirs.Buffers[i].Memory)) copied++;
        }
        for (int i = 0; i < ours.Children.Length; i++) Compare(ours.Children[i], theirs.Children[i], ref buffers, ref copied);
    }

    /// <summary>The bytes a batch's values occupy (its buffers as sliced views count whole; a fair upper bound of what crosses the wire).</summary>
    private static long Bytes(Columnar.RecordBatch b) => b.Columns.Sum(c => Size(c.Data));

    private static long Size(Columnar.ArrayData d) => d.Buffers.Sum(x => (long)x.Length) + d.Children.Sum(Size) + (d.Dictionary is { } x2 ? Size(x2) : 0);

}
