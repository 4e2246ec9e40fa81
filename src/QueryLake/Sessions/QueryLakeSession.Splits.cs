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

    private SplitStore Splits => new(Lake.Path);

    /// <summary>The split's query with each row's unit key and stratum appended (one code path for creating,
    /// refreshing and reading a split).</summary>
    private static string UnitsQuery(SplitDefinition d, bool rows) =>
        $"SELECT {(rows ? "*, " : "")}{d.Key ?? "NULL"} AS {UnitColumn}, {d.Stratum ?? "NULL"} AS {StratumColumn} FROM ({d.Query}) AS __ql_split";

    /// <summary>Runs the split's query: the rows (without the two helper columns) and each row's unit and stratum.
    /// With <paramref name="rows"/> false (assigning units by a GROUP BY key), only the key and the stratum are read,
    /// and no rows are returned.</summary>
    private (Schema Schema, List<RecordBatch> Batches, List<string[]> Units, List<string[]> Strata) SplitRows(SplitDefinition d, CancellationToken cancel,
        List<Lineage.DatasetRead>? reads = null, bool rows = true)
    {
        rows |= d.Key is null; // a unit without a key is the whole row
        (Schema Schema, List<RecordBatch> Batches) result;
        try { result = RunRecorded(UnitsQuery(d, rows), null, reads, cancel); }
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
            if (rows) batches.Add(new RecordBatch(schema, columns, b.Length));
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

    private static List<SplitAssigner.Unit> Units(SplitDefinition d, List<string[]> units, List<string[]> strata)
    {
        var seen = new Dictionary<string, SplitAssigner.Unit>(StringComparer.Ordinal);
        for (int b = 0; b < units.Count; b++)
            for (int r = 0; r < units[b].Length; r++)
                if (!seen.ContainsKey(units[b][r])) seen[units[b][r]] = new SplitAssigner.Unit(units[b][r], strata[b][r], SplitAssigner.Draw(d.Seed, units[b][r]));
        return seen.Values.ToList();
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
        var (_, _, units, strata) = SplitRows(d, cancel, reads, rows: false);
        var assignments = SplitAssigner.Assign(d.Parts, Units(d, units, strata));
        d = d with { Reads = reads.Distinct().ToList() };
        Splits.Save(d, assignments);
        return SplitSummary(c, d, assignments, units);
    }

    private QueryResult RefreshSplit(RefreshSplitStatement r, CancellationToken cancel)
    {
        var (d, existing) = LoadSplit(r.Name, r.At);
        var reads = new List<Lineage.DatasetRead>();
        var (_, _, units, strata) = SplitRows(d, cancel, reads, rows: false);
        var assignments = SplitAssigner.Assign(d.Parts, Units(d, units, strata), existing);
        d = d with { Refreshed = DateTimeOffset.UtcNow, Reads = reads.Distinct().ToList() };
        Splits.Save(d, assignments);
        return SplitSummary(r, d, assignments, units);
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

    private QueryResult SplitSummary(Statement s, SplitDefinition d, Dictionary<string, int> assignments, List<string[]> units)
    {
        // Rows per unit present now, then units and rows per part.
        var rowsPerUnit = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var batch in units)
            foreach (var u in batch)
                rowsPerUnit[u] = rowsPerUnit.GetValueOrDefault(u) + 1;
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
