using DuckDB.NET.Data;
using QueryLake.Columnar;
using QueryLake.Columnar.Interop;
using QueryLake.Columnar.Statistics;
using QueryLake.Errors;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Execution.Operators.Scan.Sources;

/// <summary>
/// <c>duckdb_query(database, sql)</c>: the result of a query that DuckDB (in process, through DuckDB.NET) runs on a
/// DuckDB database file (opened read-only) or on <c>':memory:'</c>, handed over as Arrow batches
/// (<c>ExecuteArrowStream</c>). The buffers are copied as they arrive: DuckDB frees a chunk's memory when the next one
/// is read. Each scan runs the query; the schema comes from running it
/// with <c>LIMIT 0</c>. Cancellation and timeouts take effect between batches. When the session confines file access, DuckDB runs with <c>enable_external_access = false</c>
/// (locked), so its SQL cannot read files the session may not.
/// </summary>
internal sealed class DuckDbSource : ITableSource
{
    private readonly string _database, _sql;
    private readonly bool _confined;

    public DuckDbSource(string database, string sql, bool confined)
    {
        (_database, _sql, _confined) = (database, sql, confined);
        Name = "duckdb_query";
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM ({Trimmed(sql)}) LIMIT 0";
        using var stream = Run(command);
        _arrowSchema = ApacheArrowConvert.FromApache(stream.Schema);
        Schema = Kernels.Vectors.EngineSchema(_arrowSchema);
    }

    private readonly Schema _arrowSchema;

    public string Name { get; }
    public Schema Schema { get; }
    public long? EstimatedRows => null;
    public IReadOnlyList<FragmentInfo>? Fragments => null;

    private static string Trimmed(string sql) => sql.Trim().TrimEnd(';');

    private DuckDBConnection Open()
    {
        bool memory = _database is ":memory:" or "";
        var connection = new DuckDBConnection(memory ? "Data Source=:memory:" : $"Data Source={_database};ACCESS_MODE=READ_ONLY");
        try
        {
            connection.Open();
            if (_confined)
            {
                using var c = connection.CreateCommand();
                c.CommandText = "SET enable_external_access = false; SET lock_configuration = true";
                c.ExecuteNonQuery();
            }
            return connection;
        }
        catch (DuckDBException e)
        {
            connection.Dispose();
            throw Failure(e);
        }
    }

    private static Apache.Arrow.Ipc.IArrowArrayStream Run(DuckDBCommand command)
    {
        try { return command.ExecuteArrowStream(); }
        catch (DuckDBException e) { throw Failure(e); }
    }

    private static QueryLakeException Failure(DuckDBException e) =>
        new("QL-DUCKDB", $"DuckDB: {e.Message.Split('\n')[0]}");

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel)
    {
        var projection = new ArrowProjection(Schema, _arrowSchema, columns, true);
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = Trimmed(_sql);
        using var stream = Run(command);
        while (true)
        {
            Apache.Arrow.RecordBatch? batch;
            try { batch = stream.ReadNextRecordBatchAsync(cancel).AsTask().GetAwaiter().GetResult(); }
            catch (DuckDBException e) { throw Failure(e); }
            if (batch is null) yield break;
            cancel.ThrowIfCancellationRequested();
            yield return projection.Take(batch);
        }
    }
}
