using System.Collections.Concurrent;
using QueryLake.Errors;
using QueryLake.Execution.Operators.Scan.Sources;
using A = Apache.Arrow;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    private readonly ConcurrentDictionary<string, ArrowSource> _registered = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Makes Apache.Arrow batches a relation of this session named <paramref name="name"/>: <c>SELECT … FROM
    /// name</c>, <c>INSERT INTO ds SELECT * FROM name</c> and <c>CREATE DATASET d AS SELECT * FROM name</c> read them
    /// without copying. The name shadows a dataset or view of the same name in this session until
    /// <see cref="Unregister"/>. The batches are enumerated each time a statement scans them.</summary>
    public void Register(string name, A.Schema schema, IEnumerable<A.RecordBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(batches);
        Add(name, new ArrowSource(Checked(name), schema, batches));
    }

    /// <summary><see cref="Register(string, A.Schema, IEnumerable{A.RecordBatch})"/> for a non-empty list of batches
    /// of one schema (the first batch's).</summary>
    public void Register(string name, IReadOnlyList<A.RecordBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0)
            throw new QueryLakeException("QL-ARROW-SCHEMA", $"cannot register '{name}' from no batches: pass the schema too (Register(name, schema, batches))");
        Register(name, batches[0].Schema, batches);
    }

    /// <summary><see cref="Register(string, A.Schema, IEnumerable{A.RecordBatch})"/> for one batch.</summary>
    public void Register(string name, A.RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Register(name, batch.Schema, [batch]);
    }

    /// <summary>Makes an Apache.Arrow stream (for example one imported through the C Data Interface with
    /// <c>Apache.Arrow.C.CArrowArrayStreamImporter</c>) a relation named <paramref name="name"/>. A stream can be read
    /// once: the first statement that scans it consumes it, and a later scan fails with QL-ARROW-STREAM-READ. The
    /// session does not dispose the stream. The batches are used without copying and must stay valid while the
    /// statement runs (Apache.Arrow's contract: a batch's memory lives until the batch is disposed); a producer that
    /// frees or reuses a batch's memory once the next one is read (DuckDB.NET's <c>ExecuteArrowStream</c> does) needs
    /// <paramref name="copy"/>, which copies each batch as it is read.</summary>
    public void Register(string name, A.Ipc.IArrowArrayStream stream, bool copy = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Add(name, new ArrowSource(Checked(name), stream, copy));
    }

    /// <summary>Removes a relation added by <c>Register</c>; returns whether there was one.</summary>
    public bool Unregister(string name) => _registered.TryRemove(name, out _);

    /// <summary>The names registered with <c>Register</c>.</summary>
    public IReadOnlyCollection<string> RegisteredNames => _registered.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();

    internal ArrowSource? Registered(string name) => _registered.TryGetValue(name, out var s) ? s : null;

    private void Add(string name, ArrowSource source) => _registered[name] = source;

    private static string Checked(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl))
            throw new QueryLakeException("QL-BAD-NAME", $"'{name}' cannot name a registered relation: use a non-empty name without control characters");
        return name;
    }
}
