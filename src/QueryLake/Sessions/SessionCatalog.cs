using System.Globalization;
using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;
using QueryLake.Planning.Logical;
using QueryLake.Planning.Optimizer;
using QueryLake.Execution.Operators.Scan.Sources;
using QueryLake.Storage;

namespace QueryLake.Sessions;

/// <summary>Resolves the relations a query names against the session's lake and the file system.</summary>
internal sealed class SessionCatalog(QueryLakeSession session, CancellationToken cancel,
    IReadOnlyDictionary<string, long>? pins = null, List<Lineage.DatasetRead>? reads = null) : ICatalog
{
    public ITableSource Dataset(DatasetRelation r)
    {
        if (r.Part is null && r.Version is null && session.Registered(r.Name) is { } registered) return registered;
        if (r.Part is null && r.Version is null && !session.Lake.DatasetExists(r.Name) && session.ViewExists(r.Name))
        {
            var (schema, batches) = session.ViewRows(r.Name, r.At, cancel, reads);
            return new MemorySource(r.Name, schema, batches);
        }
        if (r.Part is { } part)
        {
            var (schema, batches) = session.SplitPart(r.Name, part, r.At, cancel);
            return new MemorySource($"{r.Name}.{part}", schema, batches);
        }
        if (!session.Lake.DatasetExists(r.Name))
            throw new SqlException("QL-DATASET-NOT-FOUND", r.At.Line, r.At.Column,
                $"dataset '{r.Name}' does not exist" + Scope.Suggest(r.Name, session.Lake.ListDatasets()));
        var v = r.Version;
        var ds = session.Lake.OpenDataset(r.Name, v?.Branch ?? "main");
        DatasetSnapshot snapshot;
        try
        {
            snapshot = v switch
            {
                null when pins is not null && pins.TryGetValue(r.Name, out long pinned) => ds.Checkout(pinned),
                { Number: { } n } => ds.Checkout(n),
                { AsOf: { } t } => ds.AsOf(DateTimeOffset.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)),
                { Tag: { } tag } => ds.CheckoutTag(tag),
                _ => ds.Latest(),
            };
        }
        catch (LakeException e)
        {
            throw new SqlException(e.Code, r.At.Line, r.At.Column, e.Message);
        }
        catch (FormatException)
        {
            throw new SqlException("QL-BAD-TIMESTAMP", r.At.Line, r.At.Column, $"'{v!.AsOf}' is not a timestamp (use e.g. '2026-11-22 10:00:00')");
        }
        reads?.Add(new Lineage.DatasetRead(r.Name, ds.Branch, snapshot.Version));
        return new DatasetSource(snapshot, r.Name);
    }

    public ITableSource File(string path, SourceSpan at)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (Formats.FileGlob.IsPattern(path) && path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) return Parquet(path, at);
        session.Demand(full, "read", at);
        if (!System.IO.File.Exists(full))
            throw new SqlException("QL-FILE-NOT-FOUND", at.Line, at.Column, $"file '{path}' does not exist");
        var ext = System.IO.Path.GetExtension(full).ToLowerInvariant();
        return ext switch
        {
            ".arrow" or ".feather" or ".ipc" or ".arrows" => ReadArrow(full),
            ".csv" or ".tsv" => Csv(full, ext == ".tsv" ? '\t' : ','),
            ".json" or ".jsonl" or ".ndjson" => Text(full, () => Formats.Text.JsonReader.Read(full)),
            ".parquet" or ".pq" => Parquet(path, at),
            ".npy" => Text(full, () => Formats.Npy.NpyReader.Read(full)),
            _ => throw new SqlException("QL-UNKNOWN-FORMAT", at.Line, at.Column, $"cannot read '{path}': QueryLake reads .parquet, .arrow, .arrows, .csv, .tsv, .json, .jsonl and .npy files; or use read_parquet/read_csv/read_json/read_arrow/read_npy"),
        };
    }

    /// <summary>A Parquet file, or every file a glob matches (sharing one schema).</summary>
    private ParquetSource Parquet(string pattern, SourceSpan at)
    {
        if (!Formats.FileGlob.IsPattern(pattern)) session.Demand(pattern, "read", at);
        var files = Formats.FileGlob.Expand(pattern);
        if (files.Count == 0)
            throw new SqlException("QL-FILE-NOT-FOUND", at.Line, at.Column, Formats.FileGlob.IsPattern(pattern) ? $"no file matches '{pattern}'" : $"file '{pattern}' does not exist");
        foreach (var f in files) session.Demand(f, "read", at);
        try
        {
            return new ParquetSource(System.IO.Path.GetFileName(pattern), files.Select(Formats.Parquet.ParquetFileReader.Open).ToList());
        }
        catch (QueryLakeException e) when (e is not SqlException)
        {
            throw new SqlException(e.Code, at.Line, at.Column, e.Message);
        }
    }

    /// <summary>A CSV file as a source that streams it on each scan (checked and typed by one pass first).</summary>
    private StreamSource Csv(string path, char delimiter)
    {
        var (schema, rows, batches) = Formats.Text.CsvReader.Open(path, delimiter, cancel: cancel);
        return new StreamSource(System.IO.Path.GetFileName(path), schema, batches, rows);
    }

    private static MemorySource Text(string path, Func<(Schema Schema, IReadOnlyList<RecordBatch> Batches)> read)
    {
        var (schema, batches) = read();
        return new MemorySource(System.IO.Path.GetFileName(path), schema, batches);
    }

    private static MemorySource ReadArrow(string path)
    {
        using var fs = System.IO.File.OpenRead(path);
        Span<byte> head = stackalloc byte[6];
        int n = fs.Read(head);
        fs.Position = 0;
        if (n == 6 && head.SequenceEqual("ARROW1"u8))
        {
            using var r = ArrowFileReader.Open(path);
            return Decoded(r.Schema, r.ReadAll());
        }
        using var s = new ArrowStreamReader(fs, path, leaveOpen: true);
        return Decoded(s.Schema, s.ReadAll());

        // Dictionary columns as the engine takes them (Kernels.Vectors.EngineSchema).
        MemorySource Decoded(Schema schema, IEnumerable<RecordBatch> batches)
        {
            var engine = Kernels.Vectors.EngineSchema(schema);
            return new MemorySource(System.IO.Path.GetFileName(path), engine, batches.Select(b => Kernels.Vectors.ForEngine(b, engine)).ToList());
        }
    }

    /// <summary>Opens a table function declared in <see cref="Functions.FunctionRegistry"/> (by its name or an alias).</summary>
    public ITableSource TableFunction(TableFunctionRelation r, IReadOnlyList<object?> args)
    {
        var function = Functions.FunctionRegistry.Default.Table(r.Name)
            ?? throw new SqlException("QL-NO-FUNCTION", r.At.Line, r.At.Column, $"table function {r.Name}() does not exist" + Scope.Suggest(r.Name, Functions.FunctionRegistry.Default.TableNames));
        if (function.Name is "range" or "generate_series") return Range(r, args);
        if (function.Name == "duckdb_query") return DuckDb(r, args);
        if (args is not [string p])
            throw new SqlException("QL-BAD-ARGUMENT", r.At.Line, r.At.Column, $"{r.Name}() takes one file path (or, for read_parquet, a glob) as a string");
        return function.Name switch
        {
            "read_arrow" => Existing(p, r.At, ReadArrow),
            "read_parquet" => Parquet(p, r.At),
            "read_csv" => Existing(p, r.At, f => Csv(f, Delimiter(r))),
            "read_json" => Existing(p, r.At, f => Text(f, () => Formats.Text.JsonReader.Read(f))),
            "read_npy" => Existing(p, r.At, f => Text(f, () => Formats.Npy.NpyReader.Read(f))),
            _ => throw new InvalidOperationException($"table function {function.Name} is declared but not opened here"),
        };
    }

    /// <summary><c>duckdb_query(database, sql)</c>: the database file is read like any file the session opens.</summary>
    private DuckDbSource DuckDb(TableFunctionRelation r, IReadOnlyList<object?> args)
    {
        if (args is not [string database, string sql])
            throw new SqlException("QL-BAD-ARGUMENT", r.At.Line, r.At.Column, "duckdb_query() takes a database file (or ':memory:') and a query, both strings");
        if (database is not (":memory:" or ""))
        {
            session.Demand(System.IO.Path.GetFullPath(database), "read", r.At);
            if (!System.IO.File.Exists(database))
                throw new SqlException("QL-FILE-NOT-FOUND", r.At.Line, r.At.Column, $"DuckDB database '{database}' does not exist");
        }
        bool confined = !session.FileAccess.ExternalAccess;
        try { return new DuckDbSource(database, sql, confined); }
        catch (QueryLakeException e) when (e is not SqlException) { throw new SqlException(e.Code, r.At.Line, r.At.Column, e.Message); }
    }

    private static RangeSource Range(TableFunctionRelation r, IReadOnlyList<object?> args)
    {
        string name = r.Name.ToLowerInvariant();
        if (args.Count is < 1 or > 3 || args.Any(a => a is not long))
            throw new SqlException("QL-BAD-ARGUMENT", r.At.Line, r.At.Column, $"{name}() takes integer constants: {name}(stop), {name}(start, stop) or {name}(start, stop, step)");
        var n = args.Cast<long>().ToArray();
        try
        {
            return n.Length == 1 ? new RangeSource(name, 0, n[0], 1, name == "generate_series")
                : new RangeSource(name, n[0], n[1], n.Length == 3 ? n[2] : 1, name == "generate_series");
        }
        catch (ArgumentException e) { throw new SqlException("QL-BAD-ARGUMENT", r.At.Line, r.At.Column, e.Message); }
    }

    private ITableSource Existing(string path, SourceSpan at, Func<string, ITableSource> open)
    {
        var full = System.IO.Path.GetFullPath(path);
        session.Demand(full, "read", at);
        if (!System.IO.File.Exists(full)) throw new SqlException("QL-FILE-NOT-FOUND", at.Line, at.Column, $"file '{path}' does not exist");
        return open(full);
    }

    private char Delimiter(TableFunctionRelation r)
    {
        if (!r.NamedArgs.TryGetValue("delim", out var e) && !r.NamedArgs.TryGetValue("sep", out e)) return ',';
        return e is LiteralExpr { Value: string { Length: 1 } d } ? d[0]
            : throw new SqlException("QL-BAD-ARGUMENT", e.At.Line, e.At.Column, "delim must be a one-character string");
    }

    public ITableSource WriteTarget(Dataset dataset, string name) => new DatasetSource(dataset.Latest(), name, withRowId: true);

    public IReadOnlyList<object?[]> Execute(LogicalPlan plan)
    {
        var optimized = LogicalOptimizer.Optimize(plan, session.DisabledRules);
        var rows = new List<object?[]>();
        foreach (var b in Execution.Executor.Results(optimized, session.Context(cancel)))
            for (int r = 0; r < b.Length; r++) rows.Add(b.Columns.Select(c => c.GetValue(r)).ToArray());
        return rows;
    }
}
