using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Kernels;
using QueryLake.Language;
using QueryLake.Language.Ast;
using QueryLake.Language.Binding;
using QueryLake.Splits;

namespace QueryLake.Sessions;

public sealed partial class QueryLakeSession
{
    private const string UnitColumn = "__ql_split_unit", StratumColumn = "__ql_split_stratum";

    private SplitStore Splits => new(Lake.Storage);

    /// <summary>The split's query with each row's unit key and stratum appended (one code path for creating,
    /// refreshing and reading a split).</summary>
    private static string UnitsQuery(SplitDefinition d) =>
        $"SELECT *, {d.Key ?? "NULL"} AS {UnitColumn}, {d.Stratum ?? "NULL"} AS {StratumColumn} FROM ({d.Query}) AS __ql_split";

    /// <summary>Runs the split's query: the rows (without the two helper columns) and each row's unit and stratum.</summary>
    private (Schema Schema, List<RecordBatch> Batches, List<string[]> Units, List<string[]> Strata) SplitRows(SplitDefinition d, CancellationToken cancel,
        List<Lineage.DatasetRead>? reads = null)
    {
        (Schema Schema, List<RecordBatch> Batches) result;
        try { result = RunRecorded(UnitsQuery(d), null, reads, cancel); }
        catch (SqlException e) { throw new QueryLakeException(e.Code, $"split '{d.Name}': {e.Message}", e); }
        int width = result.Schema.Fields.Count - 2;
        var schema = new Schema(result.Schema.Fields.Take(width).ToList());
        var batches = new List<RecordBatch>();
        var units = new List<string[]>();
        var strata = new List<string[]>();
        // Canonical texts are cached per distinct integer or string value: keys repeat (drives, strata).
        var unitCache = new Dictionary<long, string>();
        var stratumCache = new Dictionary<string, string>(StringComparer.Ordinal);
        string Cached(ArrowArray a, int r, Dictionary<long, string> longs)
        {
            if (a is PrimitiveArray<long> l && !l.IsNull(r))
            {
                if (!longs.TryGetValue(l[r], out var t)) longs[l[r]] = t = SplitAssigner.Canonical(l[r]);
                return t;
            }
            if (a is BinaryArray s && !s.IsNull(r) && ((VariableBinaryType)s.Type.StorageType).IsUtf8)
            {
                var v = s.GetString(r)!;
                if (!stratumCache.TryGetValue(v, out var t)) stratumCache[v] = t = SplitAssigner.Canonical(v);
                return t;
            }
            return SplitAssigner.Canonical(a.GetValue(r));
        }
        var stratumLongs = new Dictionary<long, string>();
        foreach (var b in result.Batches)
        {
            var columns = b.Columns.Take(width).ToList();
            batches.Add(new RecordBatch(schema, columns, b.Length));
            var unit = new string[b.Length];
            var stratum = new string[b.Length];
            for (int r = 0; r < b.Length; r++)
            {
                unit[r] = d.Key is null ? SplitAssigner.RowKey(columns, r, null) : Cached(b.Columns[width], r, unitCache);
                stratum[r] = Cached(b.Columns[width + 1], r, stratumLongs);
            }
            units.Add(unit);
            strata.Add(stratum);
        }
        return (schema, batches, units, strata);
    }

    /// <summary>The split's units now: each with its stratum (that of its first row) and draw, and its row count. With a
    /// GROUP BY key the engine groups the rows (reading only the key and stratum columns); without one, every distinct
    /// row is a unit.</summary>
    private (List<SplitAssigner.Unit> Units, Dictionary<string, long> Rows) SplitUnits(SplitDefinition d, CancellationToken cancel, List<Lineage.DatasetRead> reads)
    {
        var units = new Dictionary<string, SplitAssigner.Unit>(StringComparer.Ordinal);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(string unit, string stratum, long n)
        {
            if (!units.ContainsKey(unit)) units[unit] = new SplitAssigner.Unit(unit, stratum, SplitAssigner.Draw(d.Seed, unit));
            rows[unit] = rows.GetValueOrDefault(unit) + n;
        }
        if (d.Key is null)
        {
            var (_, _, perRow, strata) = SplitRows(d, cancel, reads);
            for (int b = 0; b < perRow.Count; b++)
                for (int r = 0; r < perRow[b].Length; r++) Add(perRow[b][r], strata[b][r], 1);
            return (units.Values.ToList(), rows);
        }
        (Schema Schema, List<RecordBatch> Batches) grouped;
        string sql = $"SELECT {d.Key} AS {UnitColumn}, first({d.Stratum ?? "CAST(NULL AS VARCHAR)"}) AS {StratumColumn}, count(*) AS n FROM ({d.Query}) AS __ql_split GROUP BY 1";
        try { grouped = RunRecorded(sql, null, reads, cancel); }
        catch (SqlException e) { throw new QueryLakeException(e.Code, $"split '{d.Name}': {e.Message}", e); }
        foreach (var b in grouped.Batches)
            for (int r = 0; r < b.Length; r++)
                Add(SplitAssigner.Canonical(b.Columns[0].GetValue(r)), SplitAssigner.Canonical(b.Columns[1].GetValue(r)), (long)b.Columns[2].GetValue(r)!);
        return (units.Values.ToList(), rows);
    }

    private QueryResult CreateSplit(CreateSplitStatement c, CancellationToken cancel)
    {
        if (Splits.Exists(c.Name)) throw new SqlException("QL-SPLIT-EXISTS", c.At.Line, c.At.Column, $"split '{c.Name}' already exists; DROP SPLIT it or REFRESH SPLIT it");
        var duplicate = c.Parts.GroupBy(p => p.Part, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, $"part '{duplicate.Key}' is named twice");
        if (c.Parts.Any(p => p.Percent is <= 0 or > 100))
            throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, "every part needs a percentage above 0 and at most 100");
        double sum = c.Parts.Sum(p => p.Percent);
        if (Math.Abs(sum - 100) > 1e-6)
            throw new SqlException("QL-BAD-ARGUMENT", c.At.Line, c.At.Column, $"the parts must cover the input: their percentages add up to {sum}, not 100");
        var now = DateTimeOffset.UtcNow;
        var d = new SplitDefinition(c.Name, c.QueryText, c.Parts.Select(p => new SplitPart(p.Part, p.Percent)).ToList(), c.StratumText, c.KeyText, c.Seed, now, now);
        var reads = new List<Lineage.DatasetRead>();
        var (units, rows) = SplitUnits(d, cancel, reads);
        var assignments = SplitAssigner.Assign(d.Parts, units);
        d = d with { Reads = reads.Distinct().ToList() };
        Splits.Save(d, assignments);
        return SplitSummary(c, d, assignments, rows);
    }

    private QueryResult RefreshSplit(RefreshSplitStatement r, CancellationToken cancel)
    {
        var (d, existing) = LoadSplit(r.Name, r.At);
        var reads = new List<Lineage.DatasetRead>();
        var (units, rows) = SplitUnits(d, cancel, reads);
        var assignments = SplitAssigner.Assign(d.Parts, units, existing);
        d = d with { Refreshed = DateTimeOffset.UtcNow, Reads = reads.Distinct().ToList() };
        Splits.Save(d, assignments);
        return SplitSummary(r, d, assignments, rows);
    }

    private QueryResult DropSplit(DropSplitStatement d)
    {
        if (!Splits.Exists(d.Name))
        {
            if (d.IfExists) return Message(d, "no such split");
            throw new SqlException("QL-SPLIT-NOT-FOUND", d.At.Line, d.At.Column, $"split '{d.Name}' does not exist" + Scope.Suggest(d.Name, Splits.List()));
        }
        Splits.Drop(d.Name);
        return Message(d, $"dropped split {d.Name}");
    }

    private QueryResult ShowSplits(ShowSplitsStatement s) =>
        Table(s, [new Field("name", DataType.Utf8), new Field("parts", DataType.Utf8), new Field("stratify_by", DataType.Utf8), new Field("group_by", DataType.Utf8),
                new Field("seed", DataType.Int64), new Field("refreshed", DataType.Timestamp("UTC")), new Field("query", DataType.Utf8)],
            Splits.List().Select(n => Splits.Load(n).Definition).Select(d => new object?[]
            {
                d.Name, string.Join(", ", d.Parts.Select(p => $"{p.Name} {p.Percent}%")), d.Stratum, d.Key, d.Seed, d.Refreshed.UtcDateTime, d.Query,
            }));

    private QueryResult SplitSummary(Statement s, SplitDefinition d, Dictionary<string, int> assignments, Dictionary<string, long> rowsPerUnit)
    {
        // Units and rows per part, over the units present now.
        var unitsPerPart = new long[d.Parts.Count];
        var rowsPerPart = new long[d.Parts.Count];
        foreach (var (u, n) in rowsPerUnit)
        {
            unitsPerPart[assignments[u]]++;
            rowsPerPart[assignments[u]] += n;
        }
        var rows = d.Parts.Select((p, i) => new object?[] { p.Name, p.Percent, unitsPerPart[i], rowsPerPart[i] });
        return Table(s, [new Field("part", DataType.Utf8), new Field("percent", DataType.Float64), new Field("units", DataType.Int64), new Field("rows", DataType.Int64)], rows);
    }

    private (SplitDefinition, Dictionary<string, int>) LoadSplit(string name, SourceSpan at)
    {
        if (!Splits.Exists(name))
            throw new SqlException("QL-SPLIT-NOT-FOUND", at.Line, at.Column, $"split '{name}' does not exist" + Scope.Suggest(name, Splits.List()));
        return Splits.Load(name);
    }

    /// <summary>The rows of one part of a split, over the current data: rows whose unit was assigned to it (units
    /// that appeared since the last REFRESH SPLIT belong to no part yet).</summary>
    internal (Schema Schema, IReadOnlyList<RecordBatch> Batches) SplitPart(string name, string part, SourceSpan at, CancellationToken cancel)
    {
        var (d, assignments) = LoadSplit(name, at);
        int index = d.Parts.Select((p, i) => (p, i)).FirstOrDefault(x => string.Equals(x.p.Name, part, StringComparison.OrdinalIgnoreCase), (null!, -1)).Item2;
        if (index < 0)
            throw new SqlException("QL-SPLIT-NOT-FOUND", at.Line, at.Column, $"split '{name}' has no part '{part}'" + Scope.Suggest(part, d.Parts.Select(p => p.Name)));
        var (schema, batches, units, _) = SplitRows(d, cancel);
        var result = new List<RecordBatch>();
        for (int b = 0; b < batches.Count; b++)
        {
            var keep = Enumerable.Range(0, batches[b].Length).Where(r => assignments.TryGetValue(units[b][r], out int p) && p == index).ToArray();
            if (keep.Length > 0) result.Add(keep.Length == batches[b].Length ? batches[b] : Gather.Rows(batches[b], keep));
        }
        return (schema, result);
    }
}
