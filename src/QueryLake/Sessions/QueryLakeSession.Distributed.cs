using QueryLake.Columnar;
using QueryLake.Errors;
using QueryLake.Execution;
using QueryLake.Execution.Distributed;
using QueryLake.Execution.Operators.Scan.Sources;
using QueryLake.Kernels;
using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;
using QueryLake.Language.Parsing;
using QueryLake.Lineage;
using QueryLake.Planning.Distributed;
using QueryLake.Planning.Logical;
using QueryLake.Planning.Optimizer;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    /// <summary>One query planned for a cluster (<see cref="PlanDistributed"/>): the versions it reads and its stages
    /// (<see cref="StageSplitter"/>).</summary>
    internal sealed record DistributedQuery(string Sql, LogicalPlan Plan, StagePlan Split, IReadOnlyDictionary<string, long> Pins, DistributedSettings Settings)
    {
        /// <summary>The dataset versions it reads, for lineage records.</summary>
        public IReadOnlyList<DatasetRead> Reads { get; init; } = [];

        /// <summary>Whether any part of it runs on workers.</summary>
        public bool IsCut => Split.Stages.Count > 0;
    }

    /// <summary>This session's settings for a distributed query (<c>memory_limit</c>, <c>cluster_broadcast_rows</c>,
    /// <c>cluster_gather_groups</c>, <c>cluster_join_filters</c>, <c>cluster_task_rows</c>): a cluster connection sends
    /// them with each query.</summary>
    internal DistributedSettings DistributedSettings => new(MemoryLimit, ClusterBroadcastRows, ClusterGatherGroups, ClusterJoinFilters, ClusterTaskRows);

    /// <summary>Plans <paramref name="sql"/> (one query) for a cluster under <paramref name="settings"/> (by default this
    /// session's): binds it against the latest versions, which it then pins, so every worker reads the same bytes,
    /// retries included.</summary>
    internal DistributedQuery PlanDistributed(string sql, CancellationToken cancel = default, DistributedSettings? settings = null)
    {
        settings ??= DistributedSettings;
        var q = OneQuery(sql);
        var reads = new List<DatasetRead>();
        var binder = new Binder(new SessionCatalog(this, cancel, null, reads), new Dictionary<string, object?>(), []);
        var plan = LogicalOptimizer.Optimize(binder.BindQuery(q.Query).Plan, DisabledRules);
        var query = new DistributedQuery(sql, plan, StageSplitter.Split(plan, settings), Pins(reads), settings) { Reads = reads.Distinct().ToList() };
        // This silo's tasks of the query use the coordinator's cut.
        _stagePlans.TryAdd(StagePlanKey(sql, query.Pins, settings), new Lazy<StagePlan>(query.Split));
        return query;
    }

    /// <summary>A worker's task of a distributed query: <paramref name="sql"/> bound at <paramref name="pins"/> and cut as
    /// the coordinator cut it; the stage <paramref name="work"/> names run over its fragments, or over the partition
    /// files of its inputs; its rows returned, or partitioned into exchange files.</summary>
    internal StageOutput RunStage(string sql, IReadOnlyDictionary<string, long> pins, StageWork work, CancellationToken cancel = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stages = StagesOf(sql, pins, work.Settings, cancel).Stages;
        if (work.Stage < 0 || work.Stage >= stages.Count)
            throw new QueryLakeException("QL-CLUSTER-PLAN", $"the worker's plan of the query has no stage {work.Stage}: it does not cut as the coordinator's did");
        var stage = stages[work.Stage];
        var storage = Lake.Storage;
        var fragments = work.Fragments.ToHashSet();
        using var ctx = Context(cancel, work.Settings.MemoryLimit);
        var runnable = Scans(stage.Plan, scan => scan.Source switch
        {
            DatasetSource d => scan with
            {
                Source = d.Restricted(fragments, work.Batches is { } range && work.Fragments is [var only] ? new Dictionary<long, (int, int)> { [only] = range } : null),
            },
            StageSource s => scan with
            {
                Source = new StreamSource(s.Name, s.Schema, () => PartitionWriter.Read(storage, work.Inputs.GetValueOrDefault(s.Stage) ?? [], ctx), s.EstimatedRows),
            },
            _ => scan,
        });
        return ctx.Within(() =>
        {
            var rows = Executor.Results(runnable, ctx);
            string folder = $"{work.Exchange}/s{work.Stage}/t{work.Task}a{work.Attempt}";
            if (stage.PartitionKeys is null && work.Deal is { } shards)
            {
                // The rows dealt are hashed for the export's lineage record, in no order: the coordinator adds the parts.
                var hasher = new RowSetHasher(runnable.Schema);
                var (dealt, n, size) = PartitionWriter.Deal(storage, folder, runnable.Schema, hasher.Tap(rows), work.Task, shards, ctx);
                return new StageOutput(runnable.Schema, null, dealt, n, size) { Milliseconds = clock.Elapsed.TotalMilliseconds, RowSet = hasher.Sums };
            }
            if (stage.PartitionKeys is not { } keys)
            {
                // The rows go back to the coordinator in one reply: they count against the task's memory until sent.
                var batches = new List<RecordBatch>();
                var shared = QueryContext.Dictionaries();
                foreach (var b in rows)
                {
                    ctx.Reserve(QueryContext.SizeOf(b, shared), "the rows a task returns to the coordinator");
                    batches.Add(b);
                }
                return new StageOutput(runnable.Schema, batches, null, batches.Sum(b => (long)b.Length), 0) { Milliseconds = clock.Elapsed.TotalMilliseconds };
            }
            // A join filter of the keys written, for the other side of the join; it is held until the task returns.
            BlockedBloom? build = null;
            if (stage.FilterValues > 0)
            {
                ctx.Reserve(BlockedBloom.WordsFor(stage.FilterValues) * 8L, "a join filter");
                build = BlockedBloom.ForValues(stage.FilterValues);
            }
            var (files, count, bytes) = PartitionWriter.Write(storage, folder, runnable.Schema, rows, keys, keys.Count == 0 ? 1 : work.Partitions, ctx, work.Filter, build);
            return new StageOutput(runnable.Schema, null, files, count, bytes) { Milliseconds = clock.Elapsed.TotalMilliseconds, Filter = build };
        });
    }

    /// <summary>A silo's cut plans of the queries its tasks run, by query text, pinned versions and settings: the query is
    /// bound, optimized and cut once per silo, not once per task (planning may run an uncorrelated subquery, which
    /// every task would otherwise repeat). Plans are immutable, so tasks share them.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<StagePlan>> _stagePlans = new(StringComparer.Ordinal);

    /// <summary>Plans a silo keeps at most; past it, the oldest go (all at once: a query's tasks arrive together).</summary>
    private const int StagePlansKept = 64;

    private string StagePlanKey(string sql, IReadOnlyDictionary<string, long> pins, DistributedSettings settings) =>
        string.Join("\n", [sql, .. pins.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}@{p.Value}"), settings.ToString(), string.Join(",", DisabledRules.Order())]);

    private StagePlan StagesOf(string sql, IReadOnlyDictionary<string, long> pins, DistributedSettings settings, CancellationToken cancel)
    {
        string key = StagePlanKey(sql, pins, settings);
        if (_stagePlans.Count > StagePlansKept) _stagePlans.Clear();
        var plan = _stagePlans.GetOrAdd(key, _ => new Lazy<StagePlan>(() =>
        {
            var q = OneQuery(sql);
            var binder = new Binder(new SessionCatalog(this, cancel, pins, null), new Dictionary<string, object?>(), []);
            return StageSplitter.Split(LogicalOptimizer.Optimize(binder.BindQuery(q.Query).Plan, DisabledRules), settings);
        }));
        try { return plan.Value; }
        catch
        {
            // A failed or cancelled planning is not kept: the next task plans again.
            _stagePlans.TryRemove(new KeyValuePair<string, Lazy<StagePlan>>(key, plan));
            throw;
        }
    }

    /// <summary>The coordinator's plan of a distributed query over the rows its gathering stages returned (by stage, each
    /// task's batches in task order), or the whole query when it was not cut. A stage whose tasks sorted their rows is
    /// read as their runs merged.</summary>
    internal (Schema Schema, List<RecordBatch> Batches) FinishDistributed(DistributedQuery query, IReadOnlyDictionary<int, List<List<RecordBatch>>> gathered, CancellationToken cancel = default)
    {
        using var ctx = Context(cancel, query.Settings.MemoryLimit);
        // The gathered rows are held here while the coordinator's plan runs over them.
        var shared = QueryContext.Dictionaries();
        ctx.Reserve(gathered.Values.Sum(runs => runs.Sum(run => run.Sum(b => QueryContext.SizeOf(b, shared)))), "the rows the workers returned to the coordinator");
        var plan = Scans(query.Split.Coordinator, scan =>
        {
            if (scan.Source is not StageSource s) return scan;
            var runs = gathered.GetValueOrDefault(s.Stage) ?? [];
            ITableSource rows = s.Merge is { } keys
                ? new StreamSource(s.Name, s.Schema, () => Execution.Operators.Sort.RunMerge.Merge(s.Schema, keys, runs, ctx), runs.Sum(r => r.Sum(b => (long)b.Length)))
                : new MemorySource(s.Name, s.Schema, runs.SelectMany(r => r).ToList());
            return scan with { Source = rows };
        });
        return (plan.Schema, ctx.Within(() => Executor.Results(plan, ctx).ToList()));
    }

    /// <summary>Where this session's queries run when it is a cluster connection (<c>cluster://host:port</c>): the
    /// statement's text goes to a coordinator, which returns the columns and batches. Null: here.</summary>
    internal Func<string, CancellationToken, (Schema Schema, IReadOnlyList<RecordBatch> Batches)>? Remote { get; set; }

    /// <summary>What a cluster connection closes with its session (its client).</summary>
    internal IDisposable? RemoteOwner { get; set; }

    /// <summary>A statement of a cluster connection: queries and EXPLAIN [ANALYZE] of a query go to the cluster, with the
    /// statement's cancellation (its timeout, Ctrl-C); settings stay local (<see cref="IsLocal"/>); other statements are
    /// refused (they change the lake: run them embedded, or on a silo's own session).</summary>
    private static QueryResult RunRemote(Func<string, CancellationToken, (Schema Schema, IReadOnlyList<RecordBatch> Batches)> remote, Statement s,
        IReadOnlyDictionary<string, object?> parameters, IReadOnlyList<object?> positional, CancellationToken cancel)
    {
        bool importFiles = s is ImportStatement im && im.Format.Equals("files", StringComparison.OrdinalIgnoreCase);
        if (!importFiles && s is not (QueryStatement or ExplainStatement { Inner: QueryStatement } or AddColumnStatement { Expression: not null } or CopyStatement))
            throw new SqlException("QL-CLUSTER-UNSUPPORTED", s.At.Line, s.At.Column,
                $"a cluster connection runs queries, EXPLAIN, ALTER DATASET … ADD COLUMN … AS, IMPORT FILES and COPY … SHARDS (and SET, RESET, SHOW SETTINGS); {s.Text.Split(' ', 2)[0].ToUpperInvariant()} runs in a session opened on the lake itself");
        if (parameters.Count > 0 || positional.Count > 0)
            throw new SqlException("QL-CLUSTER-UNSUPPORTED", s.At.Line, s.At.Column, "a cluster connection does not take parameters yet: put the values in the query's text");
        var (schema, batches) = remote(s.Text, cancel);
        return new QueryResult(s.Text, schema, batches);
    }

    /// <summary>Statements a cluster connection runs itself: its own settings (statement_timeout bounds the wait).</summary>
    private static bool IsLocal(Statement s) => s is SetStatement or ResetStatement or ShowSettingsStatement;

    /// <summary>EXPLAIN of a query on a cluster: each stage as the physical plan its tasks run, where its rows go, then
    /// the coordinator's plan; with <paramref name="report"/> (EXPLAIN ANALYZE) where each task ran.</summary>
    internal string ExplainDistributed(DistributedQuery query, IReadOnlyList<string>? report)
    {
        var text = new System.Text.StringBuilder();
        string Physical(LogicalPlan plan) => Indent(Execution.Physical.PhysicalPlanPrinter.Print(Executor.Physical(plan, Context(default))));
        foreach (var stage in query.Split.Stages)
            text.Append($"Stage {stage.Id} on the workers: {stage.Describe()}\n").Append(Physical(stage.Plan));
        text.Append(query.IsCut
            ? "On the coordinator: over the rows the stages gathered\n"
            : "On the coordinator: the whole query (it reads no dataset that can be split)\n").Append(Physical(query.Split.Coordinator));
        if (report is not null) text.Append("Ran:\n").Append(string.Join("", report.Select(r => "  " + r + "\n")));
        return text.ToString();
    }

    /// <summary><paramref name="plan"/> with each scan replaced by <paramref name="replace"/>'s.</summary>
    private static LogicalPlan Scans(LogicalPlan plan, Func<ScanNode, LogicalPlan> replace) =>
        PlanRewriter.Up(plan, p => p is ScanNode scan ? replace(scan) : p);

    private static string Indent(string lines) => string.Join("", lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l + "\n"));

    /// <summary>ALTER DATASET … ADD COLUMN … AS expr planned for a cluster: the dataset, the version the workers compute
    /// it for, and its fragments (one task each).</summary>
    internal sealed record DistributedColumn(string Sql, string Dataset, long Version, IReadOnlyList<long> Fragments);

    /// <summary>The cluster plan of <paramref name="sql"/> when it is one ADD COLUMN … AS expr; null otherwise.</summary>
    internal DistributedColumn? PlanDistributedAddColumn(string sql, CancellationToken cancel = default)
    {
        if (SqlParser.ParseScript(sql) is not [AddColumnStatement { Expression: not null } a]) return null;
        if (ReadOnly) throw new SqlException("QL-READ-ONLY", a.At.Line, a.At.Column, "the session is read-only: ALTER would change the lake");
        var binder = NewBinder(new Dictionary<string, object?>(), [], cancel);
        var (ds, field, _) = BindAddColumn(binder, a, null);
        if (ds.Schema.IndexOf(field.Name) >= 0) throw new SqlException("QL-COLUMN-EXISTS", a.At.Line, a.At.Column, $"dataset '{a.Name}' already has a column '{field.Name}'");
        var snapshot = ds.Latest();
        return new DistributedColumn(sql, a.Name, snapshot.Version, snapshot.Fragments.Select(f => f.Id).ToList());
    }

    /// <summary>A worker's part of a distributed ADD COLUMN … AS: the column's file for <paramref name="fragment"/> of
    /// <paramref name="version"/>, written, not committed; its record as JSON for the coordinator.</summary>
    internal string RunAddColumnTask(string sql, long version, long fragment, CancellationToken cancel = default)
    {
        if (SqlParser.ParseScript(sql) is not [AddColumnStatement { Expression: not null } a])
            throw new QueryLakeException("QL-BAD-ARGUMENT", "a column task takes one ALTER DATASET … ADD COLUMN … AS");
        var (ds, field, compute) = BindAddColumn(NewBinder(new Dictionary<string, object?>(), [], cancel), a, version);
        var file = ds.WriteColumnFile(ds.Checkout(version), fragment, field, compute!);
        return System.Text.Json.JsonSerializer.Serialize(file);
    }

    /// <summary>The coordinator's commit of a distributed ADD COLUMN … AS: every fragment's file in one version.</summary>
    internal (Schema Schema, List<RecordBatch> Batches) FinishAddColumn(DistributedColumn plan, IReadOnlyDictionary<long, string> files, CancellationToken cancel = default)
    {
        var a = (AddColumnStatement)SqlParser.ParseScript(plan.Sql)[0];
        var (ds, field, _) = BindAddColumn(NewBinder(new Dictionary<string, object?>(), [], cancel), a, plan.Version);
        var records = files.ToDictionary(f => f.Key, f => System.Text.Json.JsonSerializer.Deserialize<Storage.Manifests.DataFileRecord>(f.Value)!);
        ds.CommitColumn(field, plan.Version, records);
        using var result = AddedColumn(a, field);
        return (result.Schema, result.ToList());
    }

    /// <summary>IMPORT FILES planned for a cluster: the dataset (made ready for the rows: created, or given the files'
    /// columns, when <see cref="Created"/>), and the matched files in chunks, one task each.</summary>
    internal sealed record DistributedImport(string Sql, string Dataset, IReadOnlyList<string[]> Chunks, bool Created);

    /// <summary>The cluster plan of <paramref name="sql"/> when it is one IMPORT FILES; null otherwise. The glob is
    /// expanded here (the files must be at the same path on every silo); the files are dealt into at most
    /// <paramref name="tasks"/> chunks of consecutive files. A dataset that does not exist is created here, with the
    /// columns the files give (IMAGE content when every file is an image), so the workers can write its data files.</summary>
    internal DistributedImport? PlanDistributedImport(string sql, int tasks, CancellationToken cancel = default)
    {
        if (SqlParser.ParseScript(sql) is not [ImportStatement im] || !im.Format.Equals("files", StringComparison.OrdinalIgnoreCase)) return null;
        if (ReadOnly) throw new SqlException("QL-READ-ONLY", im.At.Line, im.At.Column, "the session is read-only: IMPORT would change the lake");
        if (im.Options.Count > 0) throw new SqlException("QL-BAD-ARGUMENT", im.At.Line, im.At.Column, "IMPORT FILES takes no options");
        Storage.Paths.LakeNames.Check(im.Name, "dataset");
        var files = Formats.FileGlob.Expand(im.Source);
        if (files.Count == 0) throw new SqlException("QL-FILE-NOT-FOUND", im.At.Line, im.At.Column, $"no file matches '{im.Source}'");
        foreach (var f in files) Demand(f, "read", im.At);
        bool created = false;
        if (!Lake.DatasetExists(im.Name))
        {
            Lake.CreateDataset(im.Name, Ingest.FileImporter.SchemaFor(Ingest.FileImporter.AllImages(files)));
            created = true;
        }
        else
        {
            var ds = Lake.OpenDataset(im.Name);
            if (ds.Schema.Fields.Count == 0) ds.DefineSchema(Ingest.FileImporter.SchemaFor(Ingest.FileImporter.AllImages(files)));
            else if (ds.Schema.IndexOf("path") < 0 || ds.Schema.IndexOf("content") < 0)
                throw new SqlException("QL-SCHEMA-MISMATCH", im.At.Line, im.At.Column, $"dataset '{im.Name}' was not made by IMPORT FILES (it has no path and content columns)");
        }
        int n = Math.Clamp(tasks, 1, files.Count);
        var chunks = Enumerable.Range(0, n).Select(k => files.Skip(k * files.Count / n).Take((k + 1) * files.Count / n - k * files.Count / n).ToArray()).ToList();
        return new DistributedImport(sql, im.Name, chunks, created);
    }

    /// <summary>A worker's part of a distributed IMPORT FILES: the rows of <paramref name="files"/> as an INSERT makes
    /// them (derived columns computed), written to the dataset's data files, not committed; their records as JSON.</summary>
    internal string RunImportTask(string sql, string[] files, CancellationToken cancel = default)
    {
        if (SqlParser.ParseScript(sql) is not [ImportStatement im])
            throw new QueryLakeException("QL-BAD-ARGUMENT", "an import task takes one IMPORT FILES");
        var ds = Lake.OpenDataset(im.Name);
        var schema = Ingest.FileImporter.SchemaFor(ds.Schema.IndexOf("content") is int c && c >= 0 && ds.Schema.Fields[c].DataType is Columnar.Types.ImageType);
        var source = new StreamSource("files", schema, () => Ingest.FileImporter.Read(files, schema, null, cancel), files.Length, once: true);
        var binder = NewBinder(new Dictionary<string, object?>(), [], cancel);
        var insert = binder.BindInsert(new ScanNode(source, schema.Fields.Select(f => f.Name).ToList()), schema.Fields.Select(f => f.Name).ToList(), ds, im.Name, im.At);
        using var ctx = Context(cancel);
        var staged = ctx.Within(() => ds.WriteStaged(Executor.Results(insert.Input, ctx)));
        return System.Text.Json.JsonSerializer.Serialize(staged);
    }

    /// <summary>The coordinator's commit of a distributed IMPORT FILES: every task's files in one version, in chunk
    /// order; its result is the files imported, as embedded.</summary>
    internal (Schema Schema, List<RecordBatch> Batches) FinishImport(DistributedImport plan, IReadOnlyList<string> staged)
    {
        var parts = staged.Select(j => System.Text.Json.JsonSerializer.Deserialize<Storage.StagedAppend>(j)!).ToList();
        Lake.OpenDataset(plan.Dataset).CommitStaged(parts);
        var schema = new Schema([new Field("Count", Columnar.Types.DataType.Int64)]);
        long rows = parts.Sum(p => p.Files.Sum(f => f.Rows));
        return (schema, [new RecordBatch(schema, [Columnar.Builders.ArrayBuilder.Build(Columnar.Types.DataType.Int64, [rows])], 1)]);
    }

    /// <summary>Undoes what <see cref="PlanDistributedImport"/> did when the import fails: drops the dataset it
    /// created (a failed import leaves no dataset, as embedded); best effort.</summary>
    internal void AbandonImport(DistributedImport plan)
    {
        if (!plan.Created) return;
        try { Lake.DropDataset(plan.Dataset); }
        catch (QueryLakeException) { /* left for the user: an empty dataset */ }
    }

    /// <summary>COPY … SHARDS planned for a cluster: the target folder, the shard count, the query's cut plan, and whether
    /// its rows come straight from a stage (<see cref="Dealt"/>: the workers deal them into shards and write them;
    /// otherwise the coordinator gathers them and writes the shards).</summary>
    internal sealed record DistributedCopy(string Sql, string Target, int Shards, DistributedQuery Query, bool Dealt, string Extension, string Format)
    {
        /// <summary>Shard <paramref name="k"/>'s file.</summary>
        public string ShardPath(int k) => Path.Combine(Target, $"part-{k:D5}-of-{Shards:D5}.{Extension}");
    }

    /// <summary>The cluster plan of <paramref name="sql"/> when it is one COPY; null otherwise. COPY writes on a cluster
    /// with SHARDS and without SHUFFLE (a shuffle is a permutation of all rows: run it in a session on the lake); its
    /// target is checked as embedded (outside the lake, writable).</summary>
    internal DistributedCopy? PlanDistributedCopy(string sql, CancellationToken cancel = default, DistributedSettings? settings = null)
    {
        if (SqlParser.ParseScript(sql) is not [CopyStatement c]) return null;
        var (_, options, shuffle) = CopyPlan(c, cancel);
        if (options.Shards is not { } shards || shuffle is not null)
            throw new SqlException("QL-CLUSTER-UNSUPPORTED", c.At.Line, c.At.Column,
                "on a cluster, COPY writes SHARDS n without SHUFFLE (the workers write the shards); run other COPYs in a session opened on the lake");
        var query = PlanDistributed(c.QueryText, cancel, settings);
        return new DistributedCopy(sql, c.Target, shards, query, StageScheduler.CanDeal(query), options.Extension, options.Format);
    }

    /// <summary>A worker's shard of a distributed COPY: the rows of <paramref name="files"/> (the shard's dealt
    /// partition files, in task order) written as COPY's format and options would, to the shard's file under a
    /// pending name (<paramref name="pending"/> appended), which the coordinator renames into place once every shard is
    /// written. Returns the rows written.</summary>
    internal long RunCopyShard(string sql, string[] files, int shard, int shards, string pending, CancellationToken cancel = default)
    {
        if (SqlParser.ParseScript(sql) is not [CopyStatement c])
            throw new QueryLakeException("QL-BAD-ARGUMENT", "a copy task takes one COPY");
        var (node, options, _) = CopyPlan(c, cancel);
        Directory.CreateDirectory(c.Target);
        var path = Path.Combine(c.Target, $"part-{shard:D5}-of-{shards:D5}.{options.Extension}") + pending;
        using var ctx = Context(cancel);
        var rows = PartitionWriter.Read(Lake.Storage, files, ctx);
        return ctx.Within(() => Export.Exporter.Export(path, node.Input.Schema, rows, options with { Shards = null, ShuffleSeed = null }));
    }

    /// <summary>The coordinator's end of a distributed COPY: every shard's pending file renamed into place (the
    /// shards appear together), and the count of rows, as embedded.</summary>
    internal (Schema Schema, List<RecordBatch> Batches) FinishCopy(DistributedCopy copy, string pending, long rows, IEnumerable<RowSetHasher.Part> sums)
    {
        for (int k = 0; k < copy.Shards; k++) File.Move(copy.ShardPath(k) + pending, copy.ShardPath(k), overwrite: true);
        var hasher = new RowSetHasher(copy.Query.Split.Coordinator.Schema);
        foreach (var part in sums) hasher.Add(part);
        RecordExport(copy, hasher.Finish(), rows);
        var schema = new Schema([new Field("Count", Columnar.Types.DataType.Int64)]);
        return (schema, [new RecordBatch(schema, [Columnar.Builders.ArrayBuilder.Build(Columnar.Types.DataType.Int64, [rows])], 1)]);
    }

    /// <summary>COPY's checked plan and options, as embedded (its target outside the lake and writable), without the
    /// lineage hasher a distributed COPY does not use.</summary>
    private (CopyNode Node, Export.ExportOptions Options, long? Shuffle) CopyPlan(CopyStatement c, CancellationToken cancel)
    {
        var (node, hasher, options, shuffle) = BindCopy(NewBinder(new Dictionary<string, object?>(), [], cancel), c);
        hasher.Dispose();
        return (node, options, shuffle);
    }

    /// <summary>Removes a failed distributed COPY's pending shard files; best effort.</summary>
    internal static void AbandonCopy(DistributedCopy copy, string pending)
    {
        for (int k = 0; k < copy.Shards; k++)
            try { File.Delete(copy.ShardPath(k) + pending); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A distributed COPY whose rows the coordinator gathered (a sort, a LIMIT: <see cref="DistributedCopy.Dealt"/>
    /// false): the shards written here, as embedded.</summary>
    internal long WriteCopyHere(DistributedCopy copy, Schema schema, IEnumerable<RecordBatch> rows, CancellationToken cancel = default)
    {
        var c = (CopyStatement)SqlParser.ParseScript(copy.Sql)[0];
        var (_, options, _) = CopyPlan(c, cancel);
        // In the query's order, as embedded: the same hash as an embedded COPY of the same rows.
        using var hasher = new ContentHasher(schema);
        long written = Export.Exporter.Export(c.Target, schema, hasher.Tap(rows), options);
        RecordExport(copy, hasher.Finish(), written);
        return written;
    }

    /// <summary>The lineage record of a distributed COPY, as an embedded one records it: the target, format, query,
    /// versions read, shards, content hash and rows (a read-only session writes files but no records).</summary>
    private void RecordExport(DistributedCopy copy, string contentHash, long rows)
    {
        if (ReadOnly) return;
        Exports.Save(new ExportRecord(Path.GetFullPath(copy.Target), copy.Format, copy.Query.Sql, copy.Query.Reads, copy.Shards, null, DateTimeOffset.UtcNow, contentHash, rows));
    }

    /// <summary>Whether <paramref name="sql"/> is EXPLAIN [ANALYZE] of one query, and that query's text.</summary>
    internal static bool IsExplain(string sql, out string query, out bool analyze)
    {
        (query, analyze) = ("", false);
        if (SqlParser.ParseScript(sql) is not [ExplainStatement { Inner: QueryStatement } e]) return false;
        // The inner statement's text: the source after EXPLAIN [ANALYZE].
        var m = System.Text.RegularExpressions.Regex.Match(sql, @"^\s*EXPLAIN\s+(ANALYZE\s+)?", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        (query, analyze) = (sql[m.Length..], e.Analyze);
        return m.Success;
    }

    private static QueryStatement OneQuery(string sql) =>
        SqlParser.ParseScript(sql) is [QueryStatement q] ? q
            : throw new QueryLakeException("QL-BAD-ARGUMENT", "a cluster runs one query (SELECT …) at a time");
}
